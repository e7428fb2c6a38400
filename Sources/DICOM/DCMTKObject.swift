import CDCMTK
import Foundation

/// A parsed DICOM file or header data set, owned by one thread at a time (DCMTK objects are not
/// shared between threads; distinct objects may be used concurrently).
final class DCMTKObject {
    let pointer: OpaquePointer
    /// The file or label used in error messages.
    let label: String

    private init(pointer: OpaquePointer, label: String) {
        self.pointer = pointer
        self.label = label
    }

    deinit { cdcm_close(pointer) }

    /// Parses the file at `url`; Pixel Data stays in the file until a frame is read.
    static func open(_ url: URL) throws(DICOMError) -> DCMTKObject {
        var status = cdcm_status()
        guard let pointer = cdcm_open_file(url.path, &status) else {
            throw DICOMError(status.kind, status.text, file: url.path)
        }
        return DCMTKObject(pointer: pointer, label: url.path)
    }

    /// Parses a DICOM stream held in memory.
    static func open(bytes: [UInt8], label: String) throws(DICOMError) -> DCMTKObject {
        var status = cdcm_status()
        let pointer = bytes.withUnsafeBufferPointer { cdcm_open_bytes($0.baseAddress, $0.count, &status) }
        guard let pointer else { throw DICOMError(status.kind, status.text, file: label) }
        return DCMTKObject(pointer: pointer, label: label)
    }

    /// A top-level attribute's values as text (backslash-separated), or nil if absent.
    func string(_ tag: DICOMTag) -> String? {
        var buffer = [CChar](repeating: 0, count: 1024)
        var length = cdcm_string(pointer, tag.group, tag.element, &buffer, buffer.count)
        if length < 0 { return nil }
        if length >= buffer.count {
            buffer = [CChar](repeating: 0, count: length + 1)
            length = cdcm_string(pointer, tag.group, tag.element, &buffer, buffer.count)
        }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A top-level attribute's first value as an integer, or nil if absent or empty.
    func integer(_ tag: DICOMTag) -> Int? {
        var value = 0
        return cdcm_integer(pointer, tag.group, tag.element, &value) == 1 ? value : nil
    }

    var pixelData: cdcm_pixel_data_info {
        var info = cdcm_pixel_data_info()
        cdcm_pixel_data(pointer, &info)
        return info
    }

    /// The Referenced SOP Instance UID of the uncompressed predecessor, if this is a derived image.
    var derivationSource: String? {
        var buffer = [CChar](repeating: 0, count: 128)
        let length = cdcm_derivation_source(pointer, &buffer, buffer.count)
        guard length >= 0 else { return nil }
        return String(
            decoding: buffer.prefix(min(length, buffer.count - 1)).map { UInt8(bitPattern: $0) },
            as: UTF8.self)
    }

    /// Decodes frame `index` into raw samples in the machine's byte order.
    func frameBytes(_ index: Int, frameCount: Int) throws(DICOMError) -> [UInt8] {
        let size = Int(cdcm_frame_size(pointer))
        guard size > 0 else {
            throw DICOMError(
                .missingAttribute, "cannot size a frame (Rows, Columns, Bits Allocated)",
                file: label, frame: index, frameCount: frameCount)
        }
        var buffer = [UInt8](repeating: 0, count: size + (size & 1))
        var status = cdcm_status()
        let code = buffer.withUnsafeMutableBytes {
            cdcm_read_frame(pointer, UInt32(index), $0.baseAddress, $0.count, &status)
        }
        guard code == 0 else {
            throw DICOMError(status.kind, status.text, file: label, frame: index, frameCount: frameCount)
        }
        buffer.removeLast(buffer.count - size)
        return buffer
    }

    /// Drops Pixel Data and encodes the rest (file meta information included) as Explicit VR
    /// Little Endian Part 10 bytes.
    func headerBytes() throws(DICOMError) -> [UInt8] {
        var bytes: UnsafeMutablePointer<UInt8>?
        var count = 0
        var status = cdcm_status()
        guard cdcm_header_bytes(pointer, &bytes, &count, &status) == 0, let bytes else {
            throw DICOMError(status.kind, status.text, file: label)
        }
        defer { cdcm_free(bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: count))
    }

    /// Every attribute, depth first (file meta information first when `includeMeta`).
    func attributes(includeMeta: Bool) -> [DICOMAttribute] {
        final class Collector { var attributes: [DICOMAttribute] = [] }
        let collector = Collector()
        var status = cdcm_status()
        withExtendedLifetime(collector) {
            let context = Unmanaged.passUnretained(collector).toOpaque()
            _ = cdcm_visit_attributes(
                pointer, includeMeta ? 1 : 0,
                { context, path, vr, value, length in
                    guard let context, let path, let vr else { return }
                    let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
                    let bytes = value.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
                    collector.attributes.append(
                        DICOMAttribute(
                            path: String(cString: path), vr: String(cString: vr),
                            value: bytes))
                }, context, &status)
        }
        return collector.attributes
    }
}

extension cdcm_status {
    /// The message DCMTK's shim left.
    var text: String {
        withUnsafeBytes(of: message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// The error kind for the shim's code.
    var kind: DICOMError.Kind {
        switch cdcm_code(rawValue: UInt32(code)) {
        case CDCM_NOT_DICOM: .notDICOM
        case CDCM_TRUNCATED: .truncated
        case CDCM_CORRUPT: .corrupt
        case CDCM_MISSING: .missingAttribute
        case CDCM_INVALID: .invalidArgument
        case CDCM_DECODE: .decodeFailed
        case CDCM_WRITE: .writeFailed
        default: .unreadable
        }
    }
}
