/// A failure talking to a DICOM node: what kind, and a message for people that names the node (and
/// the series or file) concerned. `status` is the DIMSE status when the peer answered with one.
public struct PACSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// `AET@HOST:PORT` does not parse, or an AE title is invalid.
        case invalidAddress
        /// No TCP connection (refused, unreachable, unknown host).
        case connectionRefused
        /// The peer rejected the association (the reason, e.g. called AE title not recognized, is in the message).
        case associationRejected
        /// The peer accepted none of the presentation contexts the operation needs.
        case noPresentationContext
        /// Connecting, negotiating or waiting for a response took longer than the timeout.
        case timeout
        /// The peer answered with a failure status.
        case failed
        /// The association broke off in the middle (peer aborted or stopped).
        case connectionLost
        /// A local file could not be read or written.
        case io
        /// The peer's answer does not fit what was asked.
        case protocolError
    }

    public var kind: Kind
    public var message: String
    public var status: UInt16?

    public init(_ kind: Kind, _ message: String, status: UInt16? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
    }

    /// The same error with `context` (e.g. "series 1.2.3") in front of the message.
    public func about(_ context: String) -> PACSError {
        PACSError(kind, "\(context): \(message)", status: status)
    }

    public var description: String { message }
}
