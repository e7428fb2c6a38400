import CKernels

/// Minimum-weight left-to-right paths through a grid of edge strengths, after Chiu et al. 2010:
/// the weight of the edge between pixels a and b is 2 − (g_a + g_b) + 1e-5 for strengths g in 0...1,
/// the first and last columns are free (a path may start and end on any row), and a path moves at
/// most `maxStep` rows between neighbouring columns. A move of m > 1 rows also pays
/// `jumpPenalty` x (m − 1), standing in for the vertical edges Chiu's graph would traverse.
/// Dynamic programming over the columns; ties go to the smaller row, so results are deterministic.
struct ShortestPath {
    var maxStep: Int
    var jumpPenalty: Float

    /// The path's row in each column. `strength` is column-major (`x * height + y`); pixels outside
    /// `allowed(x)` (a row range per column, clamped to the grid) are not visited. The dynamic
    /// programme runs in C (`octarc_shortest_path`), vectorized across rows for the widest
    /// instruction set the CPU has; `isa` lowers it (every set gives the same path).
    func path(
        strength: [Float], width: Int, height: Int, isa: octarc_isa = OCTARC_ISA_AVX512,
        allowed: (Int) -> ClosedRange<Int>
    ) -> [Int] {
        precondition(width > 0 && height > 0 && strength.count == width * height)
        let penalties = (0...maxStep).map { $0 > 1 ? jumpPenalty * Float($0 - 1) : 0 }
        var lower = [Int32](repeating: 0, count: width)
        var upper = lower
        for x in 0..<width {
            let range = allowed(x)
            let low = min(max(range.lowerBound, 0), height - 1)
            lower[x] = Int32(low)
            upper[x] = Int32(min(max(range.upperBound, low), height - 1))
        }
        var rows = [Int32](repeating: 0, count: width)
        let status = octarc_shortest_path(
            strength, Int32(width), Int32(height), lower, upper, Int32(maxStep), penalties, &rows, isa)
        precondition(status == 0, "ShortestPath: out of memory for a \(width) x \(height) grid")
        return rows.map { Int($0) }
    }
}
