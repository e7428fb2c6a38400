import CDNNL

/// The mutable state of one run of a `Plan`: the activation arena, the scratchpad, memory objects
/// bound to them, the execution arguments of every step, and a stream. Used by one thread at a time.
final class Workspace: @unchecked Sendable {
    // Only the thread that checked it out of its plan touches it.
    let arena: AlignedBuffer
    let scratchpad: AlignedBuffer
    let stream: Stream
    /// One memory object per tensor (NHWC, at its arena offset).
    let tensors: [Memory]
    /// Scratchpad memory objects, kept alive for `arguments`.
    private let scratchpads: [Memory]
    /// Execution arguments of each step.
    let arguments: [[dnnl_exec_arg_t]]

    init(_ plan: Plan) throws {
        let arena = try AlignedBuffer(size: plan.layout.size)
        let scratchpad = try AlignedBuffer(size: plan.scratchpadSize)
        let tensors = try plan.shapes.enumerated().map { i, shape in
            try Memory(DNNL.activation(shape), engine: plan.engine, storage: arena, offset: plan.layout.offsets[i])
        }
        var scratchpads: [Memory] = []
        var arguments: [[dnnl_exec_arg_t]] = []
        for step in plan.steps {
            var list = step.tensors.map { dnnl_exec_arg_t(arg: $0.argument, memory: tensors[$0.tensor].handle) }
            list += step.constants.map { dnnl_exec_arg_t(arg: $0.argument, memory: $0.memory.handle) }
            if let md = step.scratchpad {
                let memory = try Memory(md, engine: plan.engine, storage: scratchpad)
                scratchpads.append(memory)
                list.append(dnnl_exec_arg_t(arg: DNNL.Argument.scratchpad, memory: memory.handle))
            }
            arguments.append(list)
        }
        self.arena = arena
        self.scratchpad = scratchpad
        self.stream = try Stream(engine: plan.engine)
        self.tensors = tensors
        self.scratchpads = scratchpads
        self.arguments = arguments
    }

    /// The float storage of tensor `index` in the arena.
    func values(_ index: Int, count: Int, plan: Plan) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: (arena.pointer + plan.layout.offsets[index]).assumingMemoryBound(to: Float.self),
                                   count: count)
    }

    /// Executes every step of `plan` in order and waits for them.
    func execute(_ plan: Plan) throws {
        for (step, arguments) in zip(plan.steps, arguments) {
            try arguments.withUnsafeBufferPointer { try step.primitive.execute(stream, $0) }
        }
        try stream.wait()
    }
}
