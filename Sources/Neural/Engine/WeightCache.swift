import CDNNL

/// Weights already reordered into a primitive's layout, by layer and part, so that plans for other
/// input sizes whose primitives want the same layout share them instead of holding copies.
/// Used only while the network's plan lock is held.
final class WeightCache: @unchecked Sendable {
    // Accessed only by plan creation, which holds the network's plan lock.
    private var entries: [String: [(descriptor: dnnl_memory_desc_t, memory: Memory)]] = [:]

    /// The weights of layer `layer`'s grid convolution `part`, or of its direct convolution when
    /// `part` is nil, in `descriptor`'s layout; made by `make` if new.
    func weights(layer: Int, part: Int?, descriptor: dnnl_memory_desc_t, make: () throws -> Memory) rethrows -> Memory {
        let key = "\(layer)/\(part.map(String.init) ?? "direct")"
        var wanted = descriptor
        for entry in entries[key] ?? [] {
            var known = entry.descriptor
            if dnnl_memory_desc_equal(&wanted, &known) != 0 { return entry.memory }
        }
        let memory = try make()
        entries[key, default: []].append((descriptor, memory))
        return memory
    }
}
