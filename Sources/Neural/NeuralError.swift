import Support

/// What went wrong loading or running a network. Every message names the file, graph or node concerned.
public enum NeuralError: Error, Equatable, CustomStringConvertible {
    /// A safetensors file is malformed, truncated, lacks a tensor, or cannot be read (file, reason, and
    /// the file system's error when that was the reason).
    case invalidWeights(file: String, reason: String, cause: ErrorCause? = nil)
    /// A graph description is inconsistent (graph, reason).
    case invalidGraph(graph: String, reason: String)
    /// Tensor sizes do not fit (what and why).
    case shapeMismatch(String)
    /// The quantizer's centers or symbols are invalid.
    case invalidQuantizer(String)
    /// oneDNN refused an operation (what was being done and its status).
    case backend(String)

    /// The lower layer's error this one was made from, or nil when the problem was found here.
    public var underlying: (any Error)? {
        if case .invalidWeights(_, _, let cause) = self { return cause?.error }
        return nil
    }

    public var description: String {
        switch self {
        case let .invalidWeights(file, reason, _): "\(file): \(reason)"
        case let .invalidGraph(graph, reason): "\(graph): \(reason)"
        case let .shapeMismatch(message): message
        case let .invalidQuantizer(message): "quantizer: \(message)"
        case let .backend(message): "oneDNN: \(message)"
        }
    }
}
