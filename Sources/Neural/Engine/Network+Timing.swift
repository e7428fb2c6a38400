import CDNNL
import Foundation
import Support

/// How long one layer takes when run alone, for benchmarks (Scripts/bench-neural).
public struct LayerTiming: Sendable {
    /// The node's name.
    public var name: String
    /// The oneDNN primitives the engine runs for the layer, e.g. `convolution brgconv:avx512_core`.
    public var implementation: String
    public var inputs: [TensorShape]
    public var output: TensorShape
    /// Floating-point operations (2 per multiply-add; one per element for `add`, none for `concat`).
    public var flops: Double
    /// Fastest seconds of the engine's steps for the layer (NHWC activations), executed repeatedly by themselves.
    public var seconds: Double
    /// For convolutions: fastest seconds of a fresh primitive for the same layer shape whose activation
    /// layouts oneDNN chose itself (its best case for the shape in isolation).
    public var preferredSeconds: Double?
    /// The primitive and implementation oneDNN picked for it.
    public var preferredImplementation: String?
}

extension Network {
    /// Runs the network once on `inputs`, then times each layer alone `repetitions` times: the
    /// engine's steps for it on its real data, and for (transposed) convolutions oneDNN's own
    /// primitive for the layer with the layouts oneDNN prefers. For benchmarks; the product calls `run`.
    public func layerTimings(_ inputs: [String: Tensor], repetitions: Int) throws -> [LayerTiming] {
        let tensors = try arrange(inputs)
        let plan = try self.plan(for: tensors.map(\.shape))
        let workspace = try plan.checkOut()
        defer { plan.checkIn(workspace) }
        try workspace.execute(plan)
        let inputCount = graph.inputs.count
        return try graph.layers.enumerated().map { index, layer in
            let steps = plan.steps.indices.filter { plan.steps[$0].layer == index }
            let seconds = try Self.fastest(repetitions) {
                for s in steps {
                    try workspace.arguments[s].withUnsafeBufferPointer {
                        try plan.steps[s].primitive.execute(workspace.stream, $0)
                    }
                }
                try workspace.stream.wait()
            }
            var timing = LayerTiming(
                name: layer.name,
                implementation: Self.tally(steps.map { plan.steps[$0].primitive.descriptor.summary }),
                inputs: layer.inputs.map { plan.shapes[$0] }, output: plan.shapes[inputCount + index],
                flops: steps.map { plan.steps[$0].flops }.reduce(0, +), seconds: seconds)
            if case let .convolution(convolution) = layer.operation {
                (timing.preferredSeconds, timing.preferredImplementation) = try preferredTiming(
                    convolution, input: timing.inputs[0], output: timing.output, repetitions: repetitions)
            }
            return timing
        }
    }

    /// Times a standalone primitive for `convolution` with every layout left to oneDNN.
    private func preferredTiming(
        _ convolution: Convolution, input: TensorShape, output: TensorShape,
        repetitions: Int
    ) throws -> (Double, String) {
        let descriptor = try DNNL.convolution(
            convolution, input: input, output: output, engine: engine, preferred: true)
        let primitive = try Primitive(descriptor)
        func zeroed(_ query: dnnl_query_t) throws -> Memory {
            guard var md = descriptor.memoryDescriptor(query) else { throw NeuralError.backend("no descriptor") }
            let storage = try AlignedBuffer(size: dnnl_memory_desc_get_size(&md))
            storage.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: storage.size)
            return try Memory(md, engine: engine, storage: storage)
        }
        var memories = [
            (DNNL.Argument.source, try zeroed(dnnl_query_src_md)),
            (DNNL.Argument.destination, try zeroed(dnnl_query_dst_md)),
            (
                DNNL.Argument.weights,
                try PlanBuilder.reorderedWeights(convolution, for: descriptor, engine: engine)
            ),
        ]
        if let bias = convolution.bias {
            memories.append(
                (
                    DNNL.Argument.bias,
                    try Memory(
                        DNNL.memoryDescriptor([bias.count], dnnl_a), engine: engine,
                        storage: AlignedBuffer(copying: bias))
                ))
        }
        if let md = descriptor.scratchpad {
            var size = md
            let storage = try AlignedBuffer(size: dnnl_memory_desc_get_size(&size))
            memories.append((DNNL.Argument.scratchpad, try Memory(md, engine: engine, storage: storage)))
        }
        let arguments = memories.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1.handle) }
        let stream = try Stream(engine: engine)
        let seconds = try Self.fastest(repetitions) {
            try arguments.withUnsafeBufferPointer { try primitive.execute(stream, $0) }
            try stream.wait()
        }
        return (seconds, descriptor.summary)
    }

    /// Distinct names in first-seen order, with counts: "convolution brgconv:avx512_core x4, reorder jit:uni x4".
    static func tally(_ names: [String]) -> String {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for name in names {
            if counts[name] == nil { order.append(name) }
            counts[name, default: 0] += 1
        }
        return order.map { counts[$0] == 1 ? $0 : "\($0) x\(counts[$0] ?? 0)" }.joined(separator: ", ")
    }

    /// The shortest wall time of `repetitions` calls of `body`, after one warm-up call (the least
    /// disturbed by other work on a shared machine).
    static func fastest(_ repetitions: Int, _ body: () throws -> Void) throws -> Double {
        try BestOf.measure(repetitions, warmUp: true, body).fastest
    }
}
