import CKernels
import Foundation
import Support

/// A network of a profile (its encoder or decoder), run on oneDNN or on the exact kernels.
///
/// `Backend.exact` computes every output element as one fixed chain of fused multiply-adds
/// (`ExactEngine`), the same bits on every CPU: decoders run there, so a container restores to
/// identical pixels wherever it is read. `Backend.oneDNN` is faster for wide layers but sums in an
/// order oneDNN picks per instruction set (Profiles/CROSS-ISA.md); encoders run there (what they
/// write is integers, and the file is then fixed).
///
/// Building a network validates the graph against its weights. The first run at a new input size
/// creates the oneDNN primitives for that size and reorders the weights into the layouts they want;
/// later runs at that size reuse them. `run` may be called from several threads at once: each
/// concurrent call gets its own activation memory, scratchpad and stream.
///
/// Debian's oneDNN runs on OpenMP, whose thread count belongs to the calling thread: `run` sets it
/// to `threads` on the thread that calls it. With more than one thread per run on a shared
/// machine, set `OMP_WAIT_POLICY=passive` before the process starts.
///
/// ```swift
/// let weights = try SafeTensors(contentsOf: folder.appendingPathComponent("weights.safetensors"))
/// let encoder = try Network(graph: profile.encoder, weights: weights, name: "cr40 encoder")
/// let latents = try encoder.run(["image": band])      // ["z0": Tensor, "z1": Tensor, ...]
/// ```
public final class Network: Sendable {
    /// The name used in error messages, e.g. "cr40 encoder".
    public let name: String
    /// oneDNN (OpenMP) threads per run. On a small machine, one frame per thread with one oneDNN
    /// thread each is fastest.
    public let threads: Int
    let graph: CompiledGraph
    let engine: Engine
    private let plans = Locked(PlanCache())

    /// Plans kept per network; frames of a series share one size, so a few suffice.
    static let planCapacity = 16

    /// Whether layers that oneDNN runs slowly are rewritten as convolutions between space-to-depth
    /// grids (see `BlockedConvolution`); off only to test the rewrite against oneDNN's own primitives.
    let lowering: Bool

    /// Where a network's arithmetic runs.
    public enum Backend: Sendable, Equatable {
        /// oneDNN's primitives: fast for wide layers; the summation order depends on the CPU.
        case oneDNN
        /// The exact kernels (`ExactEngine`): the same bits on every CPU. `upTo` caps the
        /// instruction set they use (each gives the same bits; a cap exists to prove that).
        case exact(upTo: KernelInstructionSet = .avx512)
    }

    /// The instruction sets the exact kernels are built for, widest last; a CPU without one runs the
    /// widest it has.
    public enum KernelInstructionSet: String, Sendable, CaseIterable {
        case generic, avx2, avx512

        /// The sets this CPU runs, generic first.
        public static var supported: [KernelInstructionSet] {
            let best = octarc_kernels_best_isa().rawValue
            return allCases.filter { $0.level.rawValue <= best }
        }

        var level: octarc_isa {
            switch self {
            case .generic: OCTARC_ISA_GENERIC
            case .avx2: OCTARC_ISA_AVX2
            case .avx512: OCTARC_ISA_AVX512
            }
        }
    }

    /// Where this network runs.
    public let backend: Backend
    /// The exact engine, when `backend` is `.exact`.
    let exact: ExactEngine?

    /// Validates `graph` against `weights` (ops, activations, names, weight shapes, channel counts).
    public convenience init(
        graph: GraphDescription, weights: SafeTensors, name: String = "network", threads: Int = 1,
        backend: Backend = .oneDNN
    )
        throws
    {
        try self.init(
            graph: graph, weights: weights, name: name, threads: threads, lowering: true, backend: backend)
    }

    init(
        graph: GraphDescription, weights: SafeTensors, name: String, threads: Int, lowering: Bool,
        backend: Backend = .oneDNN
    ) throws {
        guard threads >= 1 else {
            throw NeuralError.invalidGraph(graph: name, reason: "threads must be >= 1, not \(threads)")
        }
        self.graph = try CompiledGraph(graph, weights: weights, name: name)
        self.backend = backend
        if case let .exact(upTo) = backend {
            self.exact = ExactEngine(self.graph, isa: upTo.level)
        } else {
            self.exact = nil
        }
        self.engine = try DNNL.engine.get()
        self.name = name
        self.threads = threads
        self.lowering = lowering
    }

    /// The graph's inputs (name and channels).
    public var inputs: [GraphDescription.Input] { graph.inputs }

    /// The graph's output names.
    public var outputs: [String] { graph.outputs.map(\.name) }

    /// Runs the network on `inputs` (one tensor per graph input, by name) and returns its outputs by name.
    public func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        let tensors = try arrange(inputs)
        if let exact { return try exact.run(tensors, threads: threads) }
        let plan = try self.plan(for: tensors.map(\.shape))
        let workspace = try plan.checkOut()
        defer { plan.checkIn(workspace) }
        for (i, tensor) in tensors.enumerated() {
            let destination = workspace.values(i, count: tensor.data.count, plan: plan)
            _ = tensor.data.withUnsafeBufferPointer { destination.initialize(fromContentsOf: $0) }
        }
        try workspace.execute(plan)
        var result: [String: Tensor] = [:]
        for output in plan.outputs {
            let shape = plan.shapes[output.tensor]
            let values = workspace.values(output.tensor, count: shape.elementCount ?? 0, plan: plan)
            result[output.name] = try Tensor(shape: shape, data: Array(values))
        }
        return result
    }

    /// The inputs in graph order, checked for presence and channel count.
    func arrange(_ inputs: [String: Tensor]) throws -> [Tensor] {
        if let extra = inputs.keys.sorted().first(where: { key in !graph.inputs.contains { $0.name == key } }) {
            throw NeuralError.shapeMismatch("\(name): \(extra) is not an input (inputs: \(graph.inputs.map(\.name)))")
        }
        return try graph.inputs.map { input in
            guard let tensor = inputs[input.name] else {
                throw NeuralError.shapeMismatch("\(name): input \(input.name) is missing")
            }
            guard tensor.channels == input.channels else {
                throw NeuralError.shapeMismatch(
                    "\(name): input \(input.name) has \(tensor.channels) channels, the graph expects \(input.channels)")
            }
            return tensor
        }
    }

    /// The plan for these input shapes, made on first use. Sets this thread's oneDNN thread count.
    func plan(for shapes: [TensorShape]) throws -> Plan {
        DNNL.setThreads(threads)
        return try plans.withLock { cache in
            if let plan = cache.plans[shapes] { return plan }
            let plan = try Plan(graph, inputs: shapes, engine: engine, weights: cache.weights, lowering: lowering)
            cache.insert(plan, for: shapes, capacity: Self.planCapacity)
            return plan
        }
    }
}

/// Plans by input shapes, oldest evicted first, and the reordered weights they share.
struct PlanCache {
    var plans: [[TensorShape]: Plan] = [:]
    var order: [[TensorShape]] = []
    let weights = WeightCache()

    mutating func insert(_ plan: Plan, for shapes: [TensorShape], capacity: Int) {
        if order.count >= capacity { plans[order.removeFirst()] = nil }
        plans[shapes] = plan
        order.append(shapes)
    }
}
