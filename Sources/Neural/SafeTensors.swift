import Foundation
import Support

/// A [safetensors](https://github.com/huggingface/safetensors) file: an 8-byte little-endian header
/// length, a JSON header naming each tensor's dtype, shape and byte range, then little-endian data.
///
/// Everything the header claims is checked against the file before anything is read or allocated:
/// the header length, each dtype (`F32` or `I32`), each shape, and each byte range (inside the data,
/// the size the shape needs, no two ranges overlapping).
///
/// ```swift
/// let weights = try SafeTensors(contentsOf: url, sha256: profile.weights.sha256)
/// let kernel = try weights.floats("encoder.layers.0.conv.weight")
/// ```
public struct SafeTensors: Sendable {
    /// Element types this reader accepts.
    public enum DataType: String, Sendable {
        case float32 = "F32"
        case int32 = "I32"
    }

    /// One tensor's header entry.
    public struct Entry: Sendable, Equatable {
        public let dataType: DataType
        public let shape: [Int]
        /// Byte range in the data section.
        let range: Range<Int>
    }

    /// The largest header accepted (the reference implementation's limit).
    static let maximumHeaderLength = 100_000_000

    /// The file name used in error messages.
    public let source: String
    /// The tensors, by name.
    public let entries: [String: Entry]
    /// The header's `__metadata__` strings.
    public let metadata: [String: String]
    private let payload: Data

    /// Reads and validates `url`. Integrity (which weights a profile expects) is the caller's policy.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw NeuralError.invalidWeights(
                file: url.path, reason: "cannot read: \(error.localizedDescription)",
                cause: ErrorCause(error))
        }
        try self.init(data: data, source: url.path)
    }

    /// Parses safetensors bytes; `source` names them in errors.
    public init(data: Data, source: String) throws {
        func fail(_ reason: String, _ cause: (any Error)? = nil) -> NeuralError {
            .invalidWeights(file: source, reason: reason, cause: cause.map(ErrorCause.init))
        }
        guard data.count >= 8 else { throw fail("truncated: \(data.count) bytes, no header length") }
        let declared = data.prefix(8).enumerated().reduce(UInt64(0)) {
            $0 | UInt64($1.element) << (8 * UInt64($1.offset))
        }
        guard declared <= UInt64(Self.maximumHeaderLength), Int(declared) <= data.count - 8 else {
            throw fail("header length \(declared) exceeds the file (\(data.count) bytes)")
        }
        let headerEnd = data.startIndex + 8 + Int(declared)
        let header: [String: Any]
        do {
            guard
                let object = try JSONSerialization.jsonObject(with: data[(data.startIndex + 8)..<headerEnd])
                    as? [String: Any]
            else { throw fail("header is not a JSON object") }
            header = object
        } catch let error as NeuralError {
            throw error
        } catch {
            throw fail("header is not valid JSON", error)
        }
        let payload = data[headerEnd...]
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let strings = value as? [String: String] else { throw fail("__metadata__ is not a string map") }
                metadata = strings
                continue
            }
            entries[name] = try Self.entry(name, value, dataSize: payload.count, fail: { fail($0) })
        }
        let ranges = entries.sorted { $0.value.range.lowerBound < $1.value.range.lowerBound }
        for (previous, next) in zip(ranges, ranges.dropFirst())
        where next.value.range.lowerBound < previous.value.range.upperBound {
            throw fail("tensors \(previous.key) and \(next.key) overlap")
        }
        self.source = source
        self.entries = entries
        self.metadata = metadata
        self.payload = Data(payload)
    }

    private static func entry(
        _ name: String, _ value: Any, dataSize: Int,
        fail: (String) -> NeuralError
    ) throws -> Entry {
        guard let fields = value as? [String: Any] else { throw fail("tensor \(name): entry is not an object") }
        guard let dtypeName = fields["dtype"] as? String else { throw fail("tensor \(name): no dtype") }
        guard let dataType = DataType(rawValue: dtypeName) else {
            throw fail("tensor \(name): unsupported dtype \(dtypeName) (F32 or I32 expected)")
        }
        guard let shape = integers(fields["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
            throw fail("tensor \(name): shape is not a list of non-negative integers")
        }
        guard let offsets = integers(fields["data_offsets"]), offsets.count == 2,
            offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize
        else { throw fail("tensor \(name): data_offsets outside the data section (\(dataSize) bytes)") }
        var bytes = 4
        for dimension in shape {
            let (product, overflow) = bytes.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= dataSize else { throw fail("tensor \(name): shape \(shape) exceeds the file") }
            bytes = product
        }
        guard offsets[1] - offsets[0] == bytes else {
            throw fail(
                "tensor \(name): shape \(shape) needs \(bytes) bytes, data_offsets give \(offsets[1] - offsets[0])")
        }
        return Entry(dataType: dataType, shape: shape, range: offsets[0]..<offsets[1])
    }

    /// A JSON array of integers, or nil.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let numbers = value as? [NSNumber] else { return nil }
        var result: [Int] = []
        for number in numbers {
            let double = number.doubleValue
            guard double.rounded() == double, abs(double) < 1e15 else { return nil }
            result.append(number.intValue)
        }
        return result
    }

    /// The names of all tensors, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// The values of the F32 tensor `name`, in the file's (row-major) order.
    public func floats(_ name: String) throws -> [Float] {
        try words(name, .float32).map { Float(bitPattern: $0) }
    }

    /// The values of the I32 tensor `name`, in the file's (row-major) order.
    public func int32s(_ name: String) throws -> [Int32] {
        try words(name, .int32).map { Int32(bitPattern: $0) }
    }

    /// The shape of tensor `name`.
    public func shape(_ name: String) throws -> [Int] {
        guard let entry = entries[name] else {
            throw NeuralError.invalidWeights(file: source, reason: "no tensor \(name)")
        }
        return entry.shape
    }

    private func words(_ name: String, _ type: DataType) throws -> [UInt32] {
        guard let entry = entries[name] else {
            throw NeuralError.invalidWeights(file: source, reason: "no tensor \(name)")
        }
        guard entry.dataType == type else {
            throw NeuralError.invalidWeights(
                file: source, reason: "tensor \(name) is \(entry.dataType.rawValue), \(type.rawValue) expected")
        }
        let count = entry.range.count / 4
        return payload.withUnsafeBytes { raw in
            [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
                for i in 0..<count {
                    buffer[i] = UInt32(
                        littleEndian: raw.loadUnaligned(
                            fromByteOffset: entry.range.lowerBound + 4 * i,
                            as: UInt32.self))
                }
                initialized = count
            }
        }
    }
}
