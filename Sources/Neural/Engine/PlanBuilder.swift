import CDNNL

/// Turns layers into oneDNN steps over arena buffers, creating temporary buffers where a layer is
/// lowered into several steps.
struct PlanBuilder {
    let engine: Engine
    let weights: WeightCache
    /// Bytes of each buffer: the graph's tensors first, then temporaries.
    var sizes: [Int]
    /// Graph tensors whose writer may choose their layout (`Plan.freeLayouts`).
    let freeLayouts: Set<Int>
    var steps: [Plan.Step] = []
    /// The layout of each buffer not in NHWC: what the convolution writing it chose.
    private var layouts: [Int: dnnl_memory_desc_t] = [:]

    init(engine: Engine, weights: WeightCache, sizes: [Int], freeLayouts: Set<Int> = []) {
        self.engine = engine
        self.weights = weights
        self.sizes = sizes
        self.freeLayouts = freeLayouts
    }

    /// The space-to-depth block B to compute `convolution` with, or nil to run it as oneDNN's own
    /// (transposed) convolution. oneDNN 2.6's transposed convolutions reach a tenth of its
    /// convolutions' speed, and its convolutions vectorize over output channels, so a layer with
    /// one output channel uses 1/16 of each AVX-512 register.
    static func block(for convolution: Convolution) -> Int? {
        if convolution.transposed { return 1 }
        let spatial = convolution.kernel.height * convolution.kernel.width > 1
        guard convolution.stride == (1, 1), spatial, convolution.outputChannels <= 4 else { return nil }
        return convolution.outputChannels == 1 ? 4 : 2
    }

    /// The grid convolutions that compute `convolution` for these sizes (one per output phase for a
    /// transposed convolution where possible), or nil to run oneDNN's own primitive.
    static func lowered(_ convolution: Convolution, input: TensorShape, output: TensorShape) -> [BlockedConvolution]? {
        guard let block = block(for: convolution) else { return nil }
        if convolution.transposed,
            let phases = BlockedConvolution.phases(convolution, input: input, output: output, block: block)
        {
            return phases
        }
        return BlockedConvolution(convolution, input: input, output: output, block: block).map { [$0] }
    }

    /// `lowered`, or nil for every convolution when `lowering` is off: whether a plan runs the layer
    /// as grid convolutions (reading and writing NHWC) or as oneDNN's own primitive.
    static func parts(
        _ convolution: Convolution, input: TensorShape, output: TensorShape, lowering: Bool
    ) -> [BlockedConvolution]? {
        lowering ? lowered(convolution, input: input, output: output) : nil
    }

    mutating func add(_ layer: Layer, index: Int, output: Int, shapes: [TensorShape], lowering: Bool) throws {
        let sources = layer.inputs.map { shapes[$0] }
        switch layer.operation {
        case let .convolution(convolution):
            let flops = convolution.flops(input: sources[0], output: shapes[output])
            if let parts = Self.parts(convolution, input: sources[0], output: shapes[output], lowering: lowering) {
                try addBlocked(
                    parts, layer: index, input: layer.inputs[0], output: output, shapes: shapes, flops: flops)
            } else {
                try addConvolution(
                    convolution, layer: index, part: nil, input: (layer.inputs[0], sources[0]),
                    output: (output, shapes[output]), flops: flops, chooseLayouts: true)
            }
        case .concat:
            let descriptor = try DNNL.concat(sources, output: shapes[output], engine: engine)
            var arguments = try zip(layer.inputs, sources).enumerated().map { i, source in
                Plan.Argument(
                    argument: DNNL.Argument.multipleSource + Int32(i), buffer: source.0,
                    descriptor: try DNNL.activation(source.1))
            }
            arguments.append(
                Plan.Argument(
                    argument: DNNL.Argument.destination, buffer: output,
                    descriptor: try DNNL.activation(shapes[output])))
            steps.append(
                Plan.Step(
                    layer: index, primitive: try Primitive(descriptor), arguments: arguments,
                    constants: [], flops: 0))
        case .add:
            let md = try DNNL.activation(shapes[output])
            steps.append(
                Plan.Step(
                    layer: index, primitive: try Primitive(DNNL.add(shapes[output], engine: engine)),
                    arguments: [
                        Plan.Argument(argument: DNNL.Argument.source, buffer: layer.inputs[0], descriptor: md),
                        Plan.Argument(argument: DNNL.Argument.source1, buffer: layer.inputs[1], descriptor: md),
                        Plan.Argument(argument: DNNL.Argument.destination, buffer: output, descriptor: md),
                    ],
                    constants: [], flops: Double(shapes[output].elementCount ?? 0)))
        }
    }

    /// A new temporary buffer for a tensor of `shape`.
    private mutating func temporary(_ shape: TensorShape) -> Int {
        temporary(bytes: 4 * (shape.elementCount ?? 0))
    }

    private mutating func temporary(bytes: Int) -> Int {
        sizes.append(bytes)
        return sizes.count - 1
    }

    /// One oneDNN (transposed) convolution. Between NHWC buffers; with `chooseLayouts`, the
    /// primitive picks the layouts it runs fastest in (on AVX2 machines oneDNN's direct convolutions
    /// run up to three times as fast on channel-blocked tensors as on NHWC): it reads its input
    /// through a reorder where that is in another layout, and writes its output in its own layout,
    /// kept where the output is in `freeLayouts`, else reordered into NHWC.
    private mutating func addConvolution(
        _ convolution: Convolution, layer: Int, part: Int?, input: (Int, TensorShape),
        output: (Int, TensorShape), flops: Double, chooseLayouts: Bool = false
    ) throws {
        let descriptor = try DNNL.convolution(
            convolution, input: input.1, output: output.1, engine: engine, preferred: chooseLayouts)
        var source = (buffer: input.0, descriptor: try layouts[input.0] ?? DNNL.activation(input.1))
        let nhwc = try DNNL.activation(output.1)
        var destination = (buffer: output.0, descriptor: nhwc)
        if chooseLayouts {
            guard var chosen = descriptor.memoryDescriptor(dnnl_query_src_md),
                var written = descriptor.memoryDescriptor(dnnl_query_dst_md)
            else {
                throw NeuralError.backend("the convolution has no source or destination descriptor")
            }
            if dnnl_memory_desc_equal(&chosen, &source.descriptor) == 0 {
                let copy = temporary(bytes: dnnl_memory_desc_get_size(&chosen))
                try addReorder(layer: layer, from: (source.buffer, source.descriptor, 0), to: (copy, chosen, 0))
                source = (copy, chosen)
            }
            var plain = nhwc
            if dnnl_memory_desc_equal(&written, &plain) == 0 {
                if freeLayouts.contains(output.0) {
                    layouts[output.0] = written
                    sizes[output.0] = max(sizes[output.0], dnnl_memory_desc_get_size(&written))
                    destination = (output.0, written)
                } else {
                    destination = (temporary(bytes: dnnl_memory_desc_get_size(&written)), written)
                }
            }
        }
        guard let layout = descriptor.memoryDescriptor(dnnl_query_weights_md) else {
            throw NeuralError.backend("the convolution has no weights descriptor")
        }
        let weights = try self.weights.weights(layer: layer, part: part, descriptor: layout) {
            try Self.reorderedWeights(convolution, for: descriptor, engine: engine)
        }
        var constants = [(argument: DNNL.Argument.weights, memory: weights)]
        if let bias = convolution.bias {
            constants.append(
                (
                    DNNL.Argument.bias,
                    try Memory(
                        DNNL.memoryDescriptor([bias.count], dnnl_a), engine: engine,
                        storage: AlignedBuffer(copying: bias))
                ))
        }
        steps.append(
            Plan.Step(
                layer: layer, primitive: try Primitive(descriptor),
                arguments: [
                    Plan.Argument(
                        argument: DNNL.Argument.source, buffer: source.buffer, descriptor: source.descriptor),
                    Plan.Argument(
                        argument: DNNL.Argument.destination, buffer: destination.buffer,
                        descriptor: destination.descriptor),
                ],
                constants: constants, flops: flops))
        if destination.buffer != output.0 {
            try addReorder(
                layer: layer, from: (destination.buffer, destination.descriptor, 0), to: (output.0, nhwc, 0))
        }
    }

    /// Pixel shuffle into the input grid (if blocked), then for each part (all output phases, or one
    /// each) the grid convolution and a pixel shuffle out of its grid (if blocked).
    private mutating func addBlocked(
        _ parts: [BlockedConvolution], layer: Int, input: Int, output: Int,
        shapes: [TensorShape], flops: Double
    ) throws {
        guard let first = parts.first else { return }
        let inputBlock = (first.rows.inputBlock, first.columns.inputBlock)
        let outputBlock = (first.rows.outputBlock, first.columns.outputBlock)
        var gridInput = input
        if inputBlock != (1, 1) {
            gridInput = temporary(first.inputGrid)
            let views = try DNNL.blockViews(shapes[input], block: inputBlock)
            try addReorder(layer: layer, from: (input, views.image, 0), to: (gridInput, views.grid, 0))
        }
        for (i, part) in parts.enumerated() {
            let gridOutput = outputBlock == (1, 1) ? output : temporary(part.outputGrid)
            try addConvolution(
                part.gridConvolution, layer: layer, part: i, input: (gridInput, part.inputGrid),
                output: (gridOutput, part.outputGrid), flops: i == 0 ? flops : 0)
            guard outputBlock != (1, 1) else { continue }
            if let phase = part.phase {
                let view = try DNNL.phaseView(shapes[output], block: outputBlock, phase: phase)
                try addReorder(
                    layer: layer, from: (gridOutput, try DNNL.activation(part.outputGrid), 0),
                    to: (output, view.descriptor, view.offset))
            } else {
                let views = try DNNL.blockViews(shapes[output], block: outputBlock)
                try addReorder(layer: layer, from: (gridOutput, views.grid, 0), to: (output, views.image, 0))
            }
        }
    }

    /// A reorder between (buffer, descriptor, byte offset) views.
    private mutating func addReorder(
        layer: Int, from: (Int, dnnl_memory_desc_t, Int),
        to: (Int, dnnl_memory_desc_t, Int)
    ) throws {
        let descriptor = try DNNL.reorder(from: from.1, to: to.1, engine: engine)
        steps.append(
            Plan.Step(
                layer: layer, primitive: try Primitive(descriptor),
                arguments: [
                    Plan.Argument(argument: DNNL.Argument.source, buffer: from.0, descriptor: from.1, offset: from.2),
                    Plan.Argument(argument: DNNL.Argument.destination, buffer: to.0, descriptor: to.1, offset: to.2),
                ],
                constants: [], flops: 0))
    }

    /// The layer's weights, reordered from PyTorch's layout into the one `descriptor` chose.
    static func reorderedWeights(
        _ convolution: Convolution, for descriptor: PrimitiveDescriptor, engine: Engine
    ) throws
        -> Memory
    {
        guard var target = descriptor.memoryDescriptor(dnnl_query_weights_md) else {
            throw NeuralError.backend("the convolution has no weights descriptor")
        }
        // Logical dimensions (out, in, kh, kw); PyTorch stores transposed convolutions as (in, out, kh, kw).
        let source = try DNNL.memoryDescriptor(
            [
                convolution.outputChannels, convolution.inputChannels, convolution.kernel.height,
                convolution.kernel.width,
            ],
            convolution.transposed ? dnnl_iohw : dnnl_oihw)
        let from = try Memory(source, engine: engine, storage: AlignedBuffer(copying: convolution.weight))
        let to = try Memory(target, engine: engine, storage: AlignedBuffer(size: dnnl_memory_desc_get_size(&target)))
        let reorder = try Primitive(DNNL.reorder(from: source, to: target, engine: engine))
        var arguments = [
            dnnl_exec_arg_t(arg: DNNL.Argument.source, memory: from.handle),
            dnnl_exec_arg_t(arg: DNNL.Argument.destination, memory: to.handle),
        ]
        var scratchpad: Memory?
        if var md = reorder.descriptor.scratchpad {
            let memory = try Memory(md, engine: engine, storage: AlignedBuffer(size: dnnl_memory_desc_get_size(&md)))
            arguments.append(dnnl_exec_arg_t(arg: DNNL.Argument.scratchpad, memory: memory.handle))
            scratchpad = memory
        }
        let stream = try Stream(engine: engine)
        try arguments.withUnsafeBufferPointer { try reorder.execute(stream, $0) }
        try stream.wait()
        withExtendedLifetime(scratchpad) {}
        return to
    }
}
