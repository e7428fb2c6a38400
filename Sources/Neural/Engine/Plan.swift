import CDNNL

/// Everything needed to run a graph at one set of input sizes: the tensor shapes, one oneDNN
/// primitive per layer, the weights reordered once into the layouts those primitives chose, and the
/// arena layout of the activations. Immutable once made, and shared by all threads; each concurrent
/// run borrows a `Workspace` from `idle`.
final class Plan: @unchecked Sendable {
    // All stored properties are immutable after init except `idle`, which is behind a lock.

    /// One primitive execution.
    struct Step {
        var layer: Int
        var primitive: Primitive
        /// Activation arguments: (execution argument, tensor index).
        var tensors: [(argument: Int32, tensor: Int)]
        /// Weights and bias, in the primitive's layout.
        var constants: [(argument: Int32, memory: Memory)]
        var scratchpad: dnnl_memory_desc_t?
        var flops: Double
    }

    let engine: Engine
    let shapes: [TensorShape]
    let steps: [Step]
    let layout: ArenaLayout
    let scratchpadSize: Int
    let outputs: [(name: String, tensor: Int)]
    let idle = Locked<[Workspace]>([])

    init(_ graph: CompiledGraph, inputs: [TensorShape], engine: Engine) throws {
        self.engine = engine
        let shapes = try Self.shapes(graph, inputs: inputs)
        var steps: [Step] = []
        for (j, layer) in graph.layers.enumerated() {
            steps.append(try Self.step(j, layer, shapes: shapes, inputCount: graph.inputs.count, engine: engine))
        }
        var lifetimes = (0..<graph.tensorCount).map { i in
            let defined = max(0, i - graph.inputs.count + 1)
            return defined...defined
        }
        for (j, layer) in graph.layers.enumerated() {
            for input in layer.inputs { lifetimes[input] = lifetimes[input].lowerBound...(j + 1) }
        }
        for output in graph.outputs { lifetimes[output.tensor] = lifetimes[output.tensor].lowerBound...(graph.layers.count + 1) }
        self.shapes = shapes
        self.steps = steps
        self.layout = ArenaLayout(sizes: shapes.map { 4 * ($0.elementCount ?? 0) }, lifetimes: lifetimes)
        self.scratchpadSize = steps.map { $0.primitive.descriptor.scratchpadSize }.max() ?? 0
        self.outputs = graph.outputs
    }

    /// The shape of every tensor, checking that each layer's inputs fit.
    private static func shapes(_ graph: CompiledGraph, inputs: [TensorShape]) throws -> [TensorShape] {
        var shapes = inputs
        for layer in graph.layers {
            let sources = layer.inputs.map { shapes[$0] }
            func fail(_ reason: String) -> NeuralError {
                .shapeMismatch("\(graph.name): node \(layer.name): \(reason)")
            }
            switch layer.operation {
            case let .convolution(convolution):
                guard let size = convolution.outputSize(height: sources[0].height, width: sources[0].width) else {
                    throw fail("input \(sources[0]) is too small for kernel \(convolution.kernel)")
                }
                shapes.append(TensorShape(channels: layer.channels, height: size.height, width: size.width))
            case .concat, .add:
                let first = sources[0]
                if let other = layer.inputs.first(where: { shapes[$0].height != first.height || shapes[$0].width != first.width }) {
                    throw fail("input \(graph.tensorName(other)) is \(shapes[other]), \(graph.tensorName(layer.inputs[0])) is \(first)")
                }
                shapes.append(TensorShape(channels: layer.channels, height: first.height, width: first.width))
            }
            guard shapes.last?.elementCount != nil else { throw fail("output \(shapes[shapes.count - 1]) is too large") }
        }
        return shapes
    }

    private static func step(_ j: Int, _ layer: Layer, shapes: [TensorShape], inputCount: Int, engine: Engine) throws
        -> Step {
        let output = inputCount + j
        let sources = layer.inputs.map { shapes[$0] }
        switch layer.operation {
        case let .convolution(convolution):
            let descriptor = try DNNL.convolution(convolution, input: sources[0], output: shapes[output], engine: engine)
            var constants = [(argument: DNNL.Argument.weights,
                              memory: try reorderedWeights(convolution, for: descriptor, engine: engine))]
            if let bias = convolution.bias {
                let storage = try AlignedBuffer(copying: bias)
                let md = try DNNL.memoryDescriptor([bias.count], dnnl_a)
                constants.append((DNNL.Argument.bias, try Memory(md, engine: engine, storage: storage)))
            }
            return Step(layer: j, primitive: try Primitive(descriptor),
                        tensors: [(DNNL.Argument.source, layer.inputs[0]), (DNNL.Argument.destination, output)],
                        constants: constants, scratchpad: descriptor.scratchpad,
                        flops: convolution.flops(input: sources[0], output: shapes[output]))
        case .concat:
            let descriptor = try DNNL.concat(sources, output: shapes[output], engine: engine)
            let tensors = layer.inputs.enumerated().map { (DNNL.Argument.multipleSource + Int32($0.offset), $0.element) }
            return Step(layer: j, primitive: try Primitive(descriptor),
                        tensors: tensors + [(DNNL.Argument.destination, output)], constants: [],
                        scratchpad: descriptor.scratchpad, flops: 0)
        case .add:
            let descriptor = try DNNL.add(shapes[output], engine: engine)
            return Step(layer: j, primitive: try Primitive(descriptor),
                        tensors: [(DNNL.Argument.source, layer.inputs[0]), (DNNL.Argument.source1, layer.inputs[1]),
                                  (DNNL.Argument.destination, output)],
                        constants: [], scratchpad: descriptor.scratchpad,
                        flops: Double(shapes[output].elementCount ?? 0))
        }
    }

    /// The layer's weights, reordered from PyTorch's layout into the one `descriptor` chose.
    static func reorderedWeights(_ convolution: Convolution, for descriptor: PrimitiveDescriptor, engine: Engine) throws
        -> Memory {
        guard var target = descriptor.memoryDescriptor(dnnl_query_weights_md) else {
            throw NeuralError.backend("the convolution has no weights descriptor")
        }
        // Logical dimensions (out, in, kh, kw); PyTorch stores transposed convolutions as (in, out, kh, kw).
        let source = try DNNL.memoryDescriptor(
            [convolution.outputChannels, convolution.inputChannels, convolution.kernel.height, convolution.kernel.width],
            convolution.transposed ? dnnl_iohw : dnnl_oihw)
        let staging = try AlignedBuffer(copying: convolution.weight)
        let from = try Memory(source, engine: engine, storage: staging)
        let storage = try AlignedBuffer(size: dnnl_memory_desc_get_size(&target))
        let to = try Memory(target, engine: engine, storage: storage)
        let reorder = try Primitive(DNNL.reorder(from: source, to: target, engine: engine))
        let stream = try Stream(engine: engine)
        let arguments = [dnnl_exec_arg_t(arg: DNNL.Argument.source, memory: from.handle),
                         dnnl_exec_arg_t(arg: DNNL.Argument.destination, memory: to.handle)]
        try arguments.withUnsafeBufferPointer { try reorder.execute(stream, $0) }
        try stream.wait()
        return to
    }

    /// A workspace nobody is using, or a new one.
    func checkOut() throws -> Workspace {
        if let workspace = idle.withLock({ $0.popLast() }) { return workspace }
        return try Workspace(self)
    }

    func checkIn(_ workspace: Workspace) {
        idle.withLock { $0.append(workspace) }
    }
}
