import CZstd

/// zstd frames as the container uses them: one frame per blob, with its content size and an XXH64
/// content checksum, decoded only after its declared size has been checked against a limit.
enum Zstd {
    /// The first four bytes of a zstd frame (little-endian 0xFD2FB528).
    static let frameMagic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    /// Compresses blobs into frames with a content size and content checksum; reuses one zstd context.
    final class Compressor {
        private let context: OpaquePointer

        /// Levels zstd accepts.
        static var levels: ClosedRange<Int> { Int(ZSTD_minCLevel())...Int(ZSTD_maxCLevel()) }

        init?(level: Int) {
            guard Self.levels.contains(level), let context = ZSTD_createCCtx() else { return nil }
            self.context = context
            let settings: [(ZSTD_cParameter, Int32)] = [
                (ZSTD_c_compressionLevel, Int32(level)), (ZSTD_c_checksumFlag, 1), (ZSTD_c_contentSizeFlag, 1),
            ]
            for (parameter, value) in settings
            where ZSTD_isError(ZSTD_CCtx_setParameter(context, parameter, value)) != 0 {
                ZSTD_freeCCtx(context)
                return nil
            }
        }

        deinit { ZSTD_freeCCtx(context) }

        /// One frame holding `bytes` (which must not be empty). Throws zstd's error message.
        func compress(_ bytes: [UInt8]) throws(CompressionFailure) -> [UInt8] {
            var output = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
            let size = output.withUnsafeMutableBytes { output in
                bytes.withUnsafeBytes { input in
                    ZSTD_compress2(context, output.baseAddress, output.count, input.baseAddress, input.count)
                }
            }
            guard ZSTD_isError(size) == 0 else {
                throw CompressionFailure(message: String(cString: ZSTD_getErrorName(size)))
            }
            output.removeLast(output.count - size)
            return output
        }
    }

    struct CompressionFailure: Error {
        let message: String
    }

    /// Decodes the single frame that fills `range` of `bytes`. The frame must carry a content checksum
    /// and its content size, the size must be positive and at most `limit`, and nothing may follow the
    /// frame; only then is the output allocated.
    static func decompress(
        _ bytes: [UInt8], range: Range<Int>, limit: Int, what: String,
        site: ErrorSite
    ) throws -> [UInt8] {
        guard range.count >= 5, Array(bytes[range.lowerBound..<(range.lowerBound + 4)]) == frameMagic else {
            throw site.error(.compression("\(what) is not a zstd frame"))
        }
        let descriptor = bytes[range.lowerBound + 4]
        guard descriptor & 0x04 != 0 else {
            throw site.error(.compression("\(what): the zstd frame has no content checksum"))
        }
        let (declared, frameSize) = bytes.withUnsafeBytes { buffer in
            let start = buffer.baseAddress! + range.lowerBound
            return (ZSTD_getFrameContentSize(start, range.count), ZSTD_findFrameCompressedSize(start, range.count))
        }
        guard declared != ZSTD_CONTENTSIZE_ERROR && ZSTD_isError(frameSize) == 0 else {
            throw site.error(.compression("\(what): malformed zstd frame"))
        }
        guard declared != ZSTD_CONTENTSIZE_UNKNOWN else {
            throw site.error(.compression("\(what): the zstd frame does not declare its content size"))
        }
        guard frameSize == range.count else {
            throw site.error(.invalid("\(what): the zstd frame is \(frameSize) bytes, its field says \(range.count)"))
        }
        guard declared > 0 else {
            throw site.error(.invalid("\(what): an empty blob must be stored as no frame"))
        }
        guard declared <= UInt64(limit) else {
            throw site.error(.limitExceeded("\(what) declares \(declared) bytes (at most \(limit))"))
        }
        var output = [UInt8](repeating: 0, count: Int(declared))
        let size = output.withUnsafeMutableBytes { output in
            bytes.withUnsafeBytes { buffer in
                ZSTD_decompress(output.baseAddress, output.count, buffer.baseAddress! + range.lowerBound, range.count)
            }
        }
        guard ZSTD_isError(size) == 0 else {
            throw site.error(.compression("\(what): \(String(cString: ZSTD_getErrorName(size)))"))
        }
        guard size == output.count else {
            throw site.error(.compression("\(what): decoded \(size) bytes, the frame declares \(output.count)"))
        }
        return output
    }
}
