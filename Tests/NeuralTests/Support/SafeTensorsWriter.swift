import Foundation

/// Builds safetensors bytes in memory, for tests of the reader and of small hand-made graphs.
struct SafeTensorsWriter {
    private var header: [String: Any] = [:]
    private var payload = Data()

    /// Appends an F32 tensor.
    mutating func add(_ name: String, shape: [Int], values: [Float]) {
        append(
            name, dtype: "F32", shape: shape,
            bytes: values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) })
    }

    /// Appends an I32 tensor.
    mutating func add(_ name: String, shape: [Int], values: [Int32]) {
        append(
            name, dtype: "I32", shape: shape, bytes: values.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
        )
    }

    /// Appends an entry with arbitrary header fields, for malformed files.
    mutating func append(_ name: String, dtype: String, shape: [Int], bytes: [UInt8], offsets: [Int]? = nil) {
        header[name] = [
            "dtype": dtype, "shape": shape,
            "data_offsets": offsets ?? [payload.count, payload.count + bytes.count],
        ]
        payload.append(contentsOf: bytes)
    }

    /// The file: header length, JSON header, data.
    func data() throws -> Data {
        Self.file(header: try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]), payload: payload)
    }

    static func file(header: Data, payload: Data) -> Data {
        var file = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        return file + header + payload
    }
}
