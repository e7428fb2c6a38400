/// The underlying error a domain error keeps (swift-nio's `FileSystemError.cause`), so that a failure
/// deep in I/O or parsing reaches the caller whole instead of as text only. Two causes are equal when
/// they are of the same type and describe themselves the same way, so error types that carry one stay
/// `Equatable`.
///
/// ```swift
/// do { json = try Data(contentsOf: url) }
/// catch { throw CodecError.invalidProfile(path: path, reason: "cannot read profile.json", cause: ErrorCause(error)) }
/// ```
public struct ErrorCause: Error, Equatable, Sendable, CustomStringConvertible {
    /// The error as thrown.
    public let error: any Error

    public init(_ error: any Error) {
        self.error = error
    }

    public var description: String { String(describing: error) }

    public static func == (lhs: ErrorCause, rhs: ErrorCause) -> Bool {
        type(of: lhs.error) == type(of: rhs.error) && lhs.description == rhs.description
    }
}
