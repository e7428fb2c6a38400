extension CompiledGraph {
    /// Checks `description` and binds it to `weights`: known ops and activations, unique names, inputs
    /// defined before use, weights present with the shapes the node implies, channel counts that agree.
    /// Nodes that no output depends on are dropped.
    init(_ description: GraphDescription, weights: SafeTensors, name: String) throws {
        func fail(_ reason: String) -> NeuralError { .invalidGraph(graph: name, reason: reason) }
        guard !description.inputs.isEmpty else { throw fail("the graph has no inputs") }
        guard !description.outputs.isEmpty else { throw fail("the graph has no outputs") }

        var index: [String: Int] = [:]
        var channels: [Int] = []
        for input in description.inputs {
            guard index[input.name] == nil else { throw fail("input \(input.name) is declared twice") }
            guard input.channels > 0 else { throw fail("input \(input.name) has \(input.channels) channels") }
            index[input.name] = channels.count
            channels.append(input.channels)
        }
        let laterNames = Set(description.nodes.map(\.name))
        var layers: [Layer] = []
        for node in description.nodes {
            let context = "node \(node.name) (\(node.op))"
            guard index[node.name] == nil else { throw fail("\(context): the name \(node.name) is already defined") }
            let inputs = try node.inputs.map { input -> Int in
                if let i = index[input] { return i }
                if laterNames.contains(input) {
                    throw fail("\(context): input \(input) is used before it is defined (a cycle or misordered nodes)")
                }
                throw fail("\(context): input \(input) is not defined")
            }
            let layer = try Self.layer(
                node, inputs: inputs, channels: inputs.map { channels[$0] },
                weights: weights, fail: { fail("\(context): \($0)") })
            index[node.name] = channels.count
            channels.append(layer.channels)
            layers.append(layer)
        }
        var outputs: [(name: String, tensor: Int)] = []
        for output in description.outputs {
            guard let i = index[output] else { throw fail("output \(output) is not defined") }
            guard !outputs.contains(where: { $0.name == output }) else {
                throw fail("output \(output) is listed twice")
            }
            outputs.append((output, i))
        }
        self.init(name: name, inputs: description.inputs, layers: [], outputs: [])
        (self.layers, self.outputs) = Self.pruned(layers, inputCount: description.inputs.count, outputs: outputs)
    }

    /// Keeps only the layers some output depends on, renumbering tensors.
    private static func pruned(
        _ layers: [Layer], inputCount: Int, outputs: [(name: String, tensor: Int)]
    )
        -> ([Layer], [(name: String, tensor: Int)])
    {
        var needed = [Bool](repeating: false, count: inputCount + layers.count)
        for output in outputs { needed[output.tensor] = true }
        for (j, layer) in layers.enumerated().reversed() where needed[inputCount + j] {
            for input in layer.inputs { needed[input] = true }
        }
        var renumbered = Array(0..<inputCount) + [Int](repeating: -1, count: layers.count)
        var kept: [Layer] = []
        for (j, var layer) in layers.enumerated() where needed[inputCount + j] {
            layer.inputs = layer.inputs.map { renumbered[$0] }
            renumbered[inputCount + j] = inputCount + kept.count
            kept.append(layer)
        }
        return (kept, outputs.map { ($0.name, renumbered[$0.tensor]) })
    }

    private static func layer(
        _ node: GraphDescription.Node, inputs: [Int], channels: [Int], weights: SafeTensors,
        fail: (String) -> NeuralError
    ) throws -> Layer {
        switch node.op {
        case "conv2d", "conv_transpose2d":
            guard inputs.count == 1 else { throw fail("takes one input, has \(inputs.count)") }
            let convolution = try Self.convolution(node, inputChannels: channels[0], weights: weights, fail: fail)
            return Layer(
                name: node.name, operation: .convolution(convolution), inputs: inputs,
                channels: convolution.outputChannels)
        case "concat":
            guard inputs.count >= 1 else { throw fail("takes at least one input") }
            try Self.requireNoActivation(node, fail: fail)
            return Layer(name: node.name, operation: .concat, inputs: inputs, channels: channels.reduce(0, +))
        case "add":
            guard inputs.count == 2 else { throw fail("takes two inputs, has \(inputs.count)") }
            guard channels[0] == channels[1] else {
                throw fail("adds \(channels[0]) channels (\(node.inputs[0])) to \(channels[1]) (\(node.inputs[1]))")
            }
            try Self.requireNoActivation(node, fail: fail)
            return Layer(name: node.name, operation: .add, inputs: inputs, channels: channels[0])
        default:
            throw fail("unknown op \(node.op) (conv2d, conv_transpose2d, concat or add)")
        }
    }

    private static func requireNoActivation(_ node: GraphDescription.Node, fail: (String) -> NeuralError) throws {
        guard node.activation == nil || node.activation == "none" else {
            throw fail("activation \(node.activation ?? "") is supported on convolutions only")
        }
    }

    private static func convolution(
        _ node: GraphDescription.Node, inputChannels: Int, weights: SafeTensors,
        fail: (String) -> NeuralError
    ) throws -> Convolution {
        func pair(_ values: [Int]?, _ field: String, minimum: Int) throws -> (Int, Int) {
            guard let values, values.count == 2, values.allSatisfy({ $0 >= minimum && $0 <= 1 << 16 }) else {
                throw fail("\(field) must be two integers >= \(minimum)")
            }
            return (values[0], values[1])
        }
        let kernel = try pair(node.kernel, "kernel", minimum: 1)
        let stride = try pair(node.stride, "stride", minimum: 1)
        let padding = try pair(node.padding, "padding", minimum: 0)
        let transposed = node.op == "conv_transpose2d"
        guard let weightName = node.weight else { throw fail("names no weight") }
        guard weights.entries[weightName] != nil else { throw fail("weight \(weightName) is not in \(weights.source)") }
        let shape = try weights.shape(weightName)
        guard shape.count == 4, shape[2] == kernel.0, shape[3] == kernel.1, shape[0] > 0, shape[1] > 0 else {
            throw fail(
                "weight \(weightName) has shape \(shape), expected 4 dimensions with kernel \(kernel.0)x\(kernel.1)")
        }
        let (outputChannels, weightInputs) = transposed ? (shape[1], shape[0]) : (shape[0], shape[1])
        guard weightInputs == inputChannels else {
            throw fail("weight \(weightName) expects \(weightInputs) input channels, the input has \(inputChannels)")
        }
        var bias: [Float]?
        if let biasName = node.bias {
            guard weights.entries[biasName] != nil else { throw fail("bias \(biasName) is not in \(weights.source)") }
            guard try weights.shape(biasName) == [outputChannels] else {
                throw fail("bias \(biasName) has shape \(try weights.shape(biasName)), expected [\(outputChannels)]")
            }
            bias = try weights.floats(biasName)
        }
        return Convolution(
            transposed: transposed, inputChannels: inputChannels, outputChannels: outputChannels,
            kernel: kernel, stride: stride, padding: padding, paddingEnd: padding,
            weight: try weights.floats(weightName),
            bias: bias, activation: try activation(node, fail: fail))
    }

    private static func activation(_ node: GraphDescription.Node, fail: (String) -> NeuralError) throws -> Activation {
        switch node.activation ?? "none" {
        case "none": return .none
        case "relu": return .relu
        case "sigmoid": return .sigmoid
        case "tanh": return .tanh
        case "leaky_relu":
            guard let alpha = node.alpha, alpha.isFinite else { throw fail("leaky_relu needs a finite alpha") }
            return .leakyReLU(alpha: alpha)
        case "clip":
            guard let clip = node.clip, clip.count == 2, clip[0].isFinite, clip[1].isFinite, clip[0] <= clip[1] else {
                throw fail("clip needs bounds [low, high] with low <= high")
            }
            return .clip(low: clip[0], high: clip[1])
        case let other:
            throw fail("unknown activation \(other) (none, relu, leaky_relu, sigmoid, tanh or clip)")
        }
    }
}
