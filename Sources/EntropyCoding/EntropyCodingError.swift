/// Why a symbol model could not be built or a bitstream could not be decoded.
public enum EntropyCodingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The counts or the precision do not describe a usable model.
    case invalidModel(String)
    /// The caller asked for an impossible decode (a negative count, or tensors and models that disagree).
    case invalidRequest(String)
    /// The bitstream ended before `symbolIndex` (0-based, counted over all tensors) could be decoded.
    case truncated(symbolIndex: Int)
    /// The bitstream is not one the encoder could have written; `detail` says what gave it away.
    case corrupt(String)

    public var description: String {
        switch self {
        case .invalidModel(let detail): "invalid symbol model: \(detail)"
        case .invalidRequest(let detail): "invalid decode request: \(detail)"
        case .truncated(let index): "latent bitstream truncated: it ends before symbol \(index)"
        case .corrupt(let detail): "latent bitstream corrupt: \(detail)"
        }
    }
}
