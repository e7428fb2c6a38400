/// A network as `profile.json` describes it (its `encoder` or `decoder` object; see Profiles/FORMAT.md):
/// named inputs, output names, and nodes in an order where each input is defined before use.
///
/// This is the description as written; `Network` validates it (ops, activations, names, weights and
/// channel counts) when it is built.
public struct GraphDescription: Codable, Sendable, Equatable {
    /// A graph input: its name and channel count (height and width come with the tensor at run time).
    public struct Input: Codable, Sendable, Equatable {
        public var name: String
        public var channels: Int

        public init(name: String, channels: Int) {
            self.name = name
            self.channels = channels
        }
    }

    /// One operation; its `name` names its output tensor.
    public struct Node: Codable, Sendable, Equatable {
        public var name: String
        /// `conv2d`, `conv_transpose2d`, `concat` or `add`.
        public var op: String
        public var inputs: [String]
        /// Weight tensor (convolutions): (out, in, kh, kw) for conv2d, (in, out, kh, kw) for conv_transpose2d.
        public var weight: String?
        /// Bias tensor (convolutions), shape (out); absent means no bias.
        public var bias: String?
        public var kernel: [Int]?
        public var stride: [Int]?
        public var padding: [Int]?
        /// `none`, `relu`, `leaky_relu`, `sigmoid`, `tanh` or `clip`; absent means `none`.
        public var activation: String?
        /// The negative slope of `leaky_relu`.
        public var alpha: Float?
        /// The bounds [low, high] of `clip`.
        public var clip: [Float]?

        public init(
            name: String, op: String, inputs: [String], weight: String? = nil, bias: String? = nil,
            kernel: [Int]? = nil, stride: [Int]? = nil, padding: [Int]? = nil,
            activation: String? = nil, alpha: Float? = nil, clip: [Float]? = nil
        ) {
            self.name = name
            self.op = op
            self.inputs = inputs
            self.weight = weight
            self.bias = bias
            self.kernel = kernel
            self.stride = stride
            self.padding = padding
            self.activation = activation
            self.alpha = alpha
            self.clip = clip
        }
    }

    public var inputs: [Input]
    public var outputs: [String]
    public var nodes: [Node]

    public init(inputs: [Input], outputs: [String], nodes: [Node]) {
        self.inputs = inputs
        self.outputs = outputs
        self.nodes = nodes
    }
}
