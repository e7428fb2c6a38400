import CDNNL

/// The mutable state of one run of a `Plan`: the activation arena, the scratchpad, memory objects
/// bound to them, the execution arguments of every step, and a stream. Used by one thread at a time.
final class Workspace: @unchecked Sendable {
    // Only the thread that checked it out of its plan touches it.
    let arena: AlignedBuffer
    let stream: Stream
    /// Memory objects of every step (activations at their arena offsets, scratchpad), kept alive for `arguments`.
    private let memories: [Memory]
    /// Execution arguments of each step.
    let arguments: [[dnnl_exec_arg_t]]

    init(_ plan: Plan) throws {
        let arena = try AlignedBuffer(size: plan.layout.size)
        let scratchpad = try AlignedBuffer(size: plan.scratchpadSize)
        var memories: [Memory] = []
        var arguments: [[dnnl_exec_arg_t]] = []
        for step in plan.steps {
            var list = step.constants.map { dnnl_exec_arg_t(arg: $0.argument, memory: $0.memory.handle) }
            for argument in step.arguments {
                let memory = try Memory(
                    argument.descriptor, engine: plan.engine, storage: arena,
                    offset: plan.layout.offsets[argument.buffer] + argument.offset)
                memories.append(memory)
                list.append(dnnl_exec_arg_t(arg: argument.argument, memory: memory.handle))
            }
            if let md = step.primitive.descriptor.scratchpad {
                let memory = try Memory(md, engine: plan.engine, storage: scratchpad)
                memories.append(memory)
                list.append(dnnl_exec_arg_t(arg: DNNL.Argument.scratchpad, memory: memory.handle))
            }
            arguments.append(list)
        }
        self.arena = arena
        self.stream = try Stream(engine: plan.engine)
        self.memories = memories
        self.arguments = arguments
    }

    /// The float storage of buffer `index` in the arena.
    func values(_ index: Int, count: Int, plan: Plan) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(
            start: (arena.pointer + plan.layout.offsets[index]).assumingMemoryBound(to: Float.self),
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
