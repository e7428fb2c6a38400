import CDNNL
import Support

/// Everything needed to run a graph at one set of input sizes: the tensor shapes, the oneDNN
/// primitives (one or a few per layer), the weights reordered once into the layouts those primitives
/// chose, and the arena layout of all activation buffers. Immutable once made, and shared by all
/// threads; each concurrent run borrows a `Workspace` from `idle`.
final class Plan: @unchecked Sendable {
    // All stored properties are immutable after init except `idle`, which is behind a lock.

    /// A memory argument of a step: which buffer, from which byte, seen through which descriptor.
    struct Argument {
        var argument: Int32
        var buffer: Int
        var descriptor: dnnl_memory_desc_t
        var offset = 0
    }

    /// One primitive execution.
    struct Step {
        /// The graph layer this step computes (part of).
        var layer: Int
        var primitive: Primitive
        var arguments: [Argument]
        /// Weights and bias, in the primitive's layout.
        var constants: [(argument: Int32, memory: Memory)]
        /// The layer's floating-point operations, counted on its main step.
        var flops: Double
    }

    let engine: Engine
    /// Shapes of the graph's tensors, which are buffers 0..<shapes.count; temporaries follow.
    let shapes: [TensorShape]
    let steps: [Step]
    let layout: ArenaLayout
    let scratchpadSize: Int
    let outputs: [(name: String, tensor: Int)]
    let idle = Locked<[Workspace]>([])

    /// Plans `graph` for inputs of `inputs` shapes, taking reordered weights from `weights` where
    /// an earlier plan made them. With `lowering`, transposed convolutions and
    /// convolutions with few output channels run as convolutions between space-to-depth grids.
    init(
        _ graph: CompiledGraph, inputs: [TensorShape], engine: Engine, weights: WeightCache,
        lowering: Bool = true
    ) throws {
        self.engine = engine
        let shapes = try graph.shapes(inputs: inputs)
        var builder = PlanBuilder(
            engine: engine, weights: weights, sizes: shapes.map { 4 * ($0.elementCount ?? 0) },
            freeLayouts: Self.freeLayouts(graph, shapes: shapes, lowering: lowering))
        for (j, layer) in graph.layers.enumerated() {
            try builder.add(layer, index: j, output: graph.inputs.count + j, shapes: shapes, lowering: lowering)
        }
        // Buffer lifetimes in steps: inputs are written before step 1, outputs read after the last.
        var lifetimes = [ClosedRange<Int>?](repeating: nil, count: builder.sizes.count)
        for i in 0..<graph.inputs.count { lifetimes[i] = 0...0 }
        for (s, step) in builder.steps.enumerated() {
            for argument in step.arguments {
                let lower = lifetimes[argument.buffer]?.lowerBound ?? s + 1
                lifetimes[argument.buffer] = lower...(s + 1)
            }
        }
        for output in graph.outputs {
            lifetimes[output.tensor] = (lifetimes[output.tensor]?.lowerBound ?? 0)...(builder.steps.count + 1)
        }
        self.shapes = shapes
        self.steps = builder.steps
        self.layout = ArenaLayout(sizes: builder.sizes, lifetimes: lifetimes.map { $0 ?? 0...0 })
        self.scratchpadSize = builder.steps.map { $0.primitive.descriptor.scratchpadSize }.max() ?? 0
        self.outputs = graph.outputs
    }

    /// The tensors that may be kept in whatever layout the convolution writing them prefers (oneDNN's
    /// blocked layouts, e.g. 8 channels per block on AVX2): those only read by other convolutions that
    /// run as oneDNN's own primitive, which reorder what they read if they prefer another layout.
    /// Graph inputs and outputs, and tensors read by a concat, an add or a lowered convolution (which
    /// address NHWC memory directly), stay NHWC.
    static func freeLayouts(_ graph: CompiledGraph, shapes: [TensorShape], lowering: Bool) -> Set<Int> {
        var free = Set(graph.inputs.count..<(graph.inputs.count + graph.layers.count))
        for output in graph.outputs { free.remove(output.tensor) }
        for (j, layer) in graph.layers.enumerated() {
            if case let .convolution(convolution) = layer.operation,
                PlanBuilder.parts(
                    convolution, input: shapes[layer.inputs[0]], output: shapes[graph.inputs.count + j],
                    lowering: lowering) == nil
            {
                continue
            }
            for input in layer.inputs { free.remove(input) }
        }
        return free
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
