/// Why a container could not be written or read: the file, the part of it, and what is wrong.
///
/// ```
/// scan.octz: record 4 (instance 1, frame 4): checksum mismatch in the record section: stored 0x1c2d3e4f, computed 0x00a1b2c3
/// ```
public struct ContainerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Where in the container the problem is.
    public enum Part: Equatable, Sendable, CustomStringConvertible {
        /// The file as a whole (opening, size, renaming).
        case file
        /// Magic bytes and format version.
        case preamble
        /// The container header (metadata and original header datasets).
        case header
        /// A frame record: its position in the container, and the instance and frame it holds.
        case record(index: Int, instance: Int, frame: Int)
        /// The footer index.
        case index
        /// The trailer at the end of the file.
        case trailer

        public var description: String {
            switch self {
            case .file: "file"
            case .preamble: "preamble"
            case .header: "header"
            // Counted from 1, as every report and option of octarc counts.
            case .record(let index, let instance, let frame):
                "record \(index + 1) (instance \(instance + 1), frame \(frame + 1))"
            case .index: "index"
            case .trailer: "trailer"
            }
        }
    }

    /// What is wrong.
    public enum Problem: Equatable, Sendable, CustomStringConvertible {
        /// Reading or writing the file failed.
        case io(String)
        /// The bytes are not an `.octz` container.
        case notAContainer(String)
        /// The container was written by a newer octarc.
        case newerVersion(found: Int, supported: Int)
        /// The version field names no version that ever existed.
        case unknownVersion(Int)
        /// The container ends early.
        case truncated(String)
        /// Stored and computed CRC32C differ.
        case checksumMismatch(String, stored: UInt32, computed: UInt32)
        /// A field holds a value the format does not allow.
        case invalid(String)
        /// A length exceeds what the format allows.
        case limitExceeded(String)
        /// A zstd frame is malformed or fails its content checksum.
        case compression(String)
        /// The caller passed something the writer or reader cannot take.
        case invalidArgument(String)
        /// The writer already finished or failed.
        case writerClosed

        public var description: String {
            switch self {
            case .io(let detail): "I/O error: \(detail)"
            case .notAContainer(let detail): "not an .octz container: \(detail)"
            case .newerVersion(let found, let supported):
                "format version \(found) is newer than this octarc reads (up to \(supported)); use a newer octarc"
            case .unknownVersion(let version): "format version \(version) does not exist"
            case .truncated(let detail): "truncated: \(detail)"
            case .checksumMismatch(let what, let stored, let computed):
                "checksum mismatch in \(what): stored 0x\(hex(stored)), computed 0x\(hex(computed))"
            case .invalid(let detail): "invalid: \(detail)"
            case .limitExceeded(let detail): "limit exceeded: \(detail)"
            case .compression(let detail): "zstd: \(detail)"
            case .invalidArgument(let detail): "invalid argument: \(detail)"
            case .writerClosed: "the writer has already finished or failed"
            }
        }

        private func hex(_ value: UInt32) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 8 - digits.count) + digits
        }
    }

    /// The container's path (or the name given to an in-memory reader).
    public let file: String
    public let part: Part
    public let problem: Problem

    public init(file: String, part: Part, problem: Problem) {
        self.file = file
        self.part = part
        self.problem = problem
    }

    public var description: String { "\(file): \(part): \(problem)" }
}

/// The file and part that errors raised in some code refer to.
struct ErrorSite: Sendable {
    let file: String
    let part: ContainerError.Part

    func error(_ problem: ContainerError.Problem) -> ContainerError {
        ContainerError(file: file, part: part, problem: problem)
    }

    func with(_ part: ContainerError.Part) -> ErrorSite { ErrorSite(file: file, part: part) }
}
