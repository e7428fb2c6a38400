/// Offsets of the activation tensors in one arena, reusing the memory of tensors that are no longer
/// needed. Two tensors whose lifetimes overlap never share bytes.
struct ArenaLayout: Equatable {
    /// Byte offset of each tensor.
    var offsets: [Int]
    /// Total bytes.
    var size: Int

    /// `sizes[i]` bytes live from step `lifetimes[i].lowerBound` through `lifetimes[i].upperBound`.
    /// Greedy placement, largest first, at the lowest offset that fits; offsets are `alignment`-aligned.
    init(sizes: [Int], lifetimes: [ClosedRange<Int>], alignment: Int = 64) {
        let rounded = sizes.map { ($0 + alignment - 1) / alignment * alignment }
        var offsets = [Int](repeating: 0, count: sizes.count)
        var placed: [Int] = []
        for i in sizes.indices.sorted(by: { rounded[$0] != rounded[$1] ? rounded[$0] > rounded[$1] : $0 < $1 }) {
            let conflicts = placed.filter { lifetimes[$0].overlaps(lifetimes[i]) }
                .map { offsets[$0]..<(offsets[$0] + rounded[$0]) }
                .sorted { $0.lowerBound < $1.lowerBound }
            var offset = 0
            for range in conflicts where range.lowerBound < offset + rounded[i] {
                offset = max(offset, range.upperBound)
            }
            offsets[i] = offset
            placed.append(i)
        }
        self.offsets = offsets
        self.size = sizes.indices.map { offsets[$0] + rounded[$0] }.max() ?? 0
    }
}
