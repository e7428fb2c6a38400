import CZstdFuzz
import Container
import Foundation

/// Builds containers around fuzz input so that the fuzzer reaches the parsers behind the checksums and
/// zstd frames: each input is also read with every CRC repaired, as the header metadata of a container,
/// and as the index of a valid container. The layout follows Sources/Container/FORMAT.md.
enum ContainerSurgery {
    /// A valid container (2 instances, 5 records) written with the public writer.
    static let template: [UInt8] = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("octarc-fuzz-\(getpid())")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("template.octz")
        let geometry = PixelGeometry(
            rows: 8, columns: 8, frames: 3, bitsAllocated: 16, bitsStored: 12, highBit: 11,
            pixelRepresentation: 0, photometricInterpretation: "MONOCHROME2")
        let instances = (0..<2).map {
            InstanceInfo(
                sopInstanceUID: "1.2.\($0)", sopClassUID: "1.2.3", transferSyntaxUID: "1.2.840.10008.1.2.1",
                geometry: geometry, pixelDataByteCount: 384, headerDataset: Array("dataset \($0)".utf8))
        }
        let header = ContainerHeader(
            toolVersion: "fuzz", profileName: "p", profileWeightsSHA256: Array(repeating: 7, count: 32),
            studyInstanceUID: "1", seriesInstanceUID: "2", patientID: "3",
            properties: ["k": "v"], instances: instances)
        let writer = try! OctzWriter(url: url, header: header, options: .init(compressionLevel: 1))
        for (instance, frame) in [(0, 0), (0, 2), (1, 0), (1, 1), (1, 2)] {
            try! writer.append(
                FrameRecord(
                    instanceIndex: instance, frameIndex: frame,
                    roi: frame == 1 ? [] : [1, 2, 3], bitstream: [4, 5, 6, 7],
                    pixelChecksum: frame == 2 ? 9 : nil))
        }
        _ = try! writer.finish()
        return [UInt8](try! Data(contentsOf: url))
    }()

    /// `bytes` with the preamble's, every walkable section's and the trailer's CRC recomputed.
    static func repairingChecksums(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        guard bytes.count >= 16 else { return bytes }
        put(CRC32C.checksum(bytes[0..<12]), at: 12, in: &bytes)
        let end = bytes.count >= 44 ? bytes.count - 28 : bytes.count
        var offset = 16
        while offset + 12 <= end {
            let length = Int(u32(bytes, at: offset + 4))
            guard length <= end - offset - 12 else { break }
            put(CRC32C.checksum(bytes[offset..<(offset + 8 + length)]), at: offset + 8 + length, in: &bytes)
            offset += 12 + length
        }
        if bytes.count >= 44 {
            put(CRC32C.checksum(bytes[(bytes.count - 28)..<(bytes.count - 4)]), at: bytes.count - 4, in: &bytes)
        }
        return bytes
    }

    /// A container whose header metadata (decompressed) is `input` after its first two bytes, which give
    /// the length of a header-datasets block; no records.
    static func containerAroundMetadata(_ input: [UInt8]) -> [UInt8] {
        guard input.count >= 2 else { return [] }
        let datasets = (0..<(Int(input[0]) | Int(input[1] & 0x0F) << 8)).map { UInt8(truncatingIfNeeded: $0) }
        let metadataFrame = frame(Array(input[2...]))
        var body = le32(UInt32(metadataFrame.count)) + metadataFrame
        body += frame(datasets)
        let header = section("HEAD", body)
        let index = section("INDX", [])
        return Array(template[0..<16]) + header + index
            + trailer(indexOffset: 16 + header.count, indexLength: index.count, recordCount: 0)
    }

    /// The template with its index (decompressed) replaced by `input`, holding `input.count / 24` entries.
    static func templateWithIndex(_ input: [UInt8]) -> [UInt8] {
        let indexOffset = Int(u32(template, at: template.count - 28))
        let index = section("INDX", frame(input))
        return Array(template[0..<indexOffset]) + index
            + trailer(indexOffset: indexOffset, indexLength: index.count, recordCount: input.count / 24)
    }

    /// One zstd context for the whole run (libFuzzer calls the target from one thread).
    nonisolated(unsafe) private static let context: OpaquePointer = {
        let context = ZSTD_createCCtx()!
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, 1)
        return context
    }()

    private static func frame(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
        let size = output.withUnsafeMutableBytes { output in
            bytes.withUnsafeBytes {
                ZSTD_compress2(context, output.baseAddress, output.count, $0.baseAddress, $0.count)
            }
        }
        precondition(ZSTD_isError(size) == 0)
        return Array(output[0..<size])
    }

    private static func section(_ tag: String, _ body: [UInt8]) -> [UInt8] {
        let framed = Array(tag.utf8) + le32(UInt32(body.count)) + body
        return framed + le32(CRC32C.checksum(framed))
    }

    private static func trailer(indexOffset: Int, indexLength: Int, recordCount: Int) -> [UInt8] {
        let fields =
            le32(UInt32(indexOffset)) + le32(0) + le32(UInt32(indexLength)) + le32(UInt32(recordCount))
            + Array("OCTZEND\n".utf8)
        return fields + le32(CRC32C.checksum(fields))
    }

    private static func le32(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    private static func u32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }

    private static func put(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        bytes.replaceSubrange(offset..<(offset + 4), with: le32(value))
    }
}
