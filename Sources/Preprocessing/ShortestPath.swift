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
    /// `allowed(x)` (a row range per column) are not visited. Every range must be non-empty.
    func path(strength: [Float], width: Int, height: Int, allowed: (Int) -> ClosedRange<Int>) -> [Int] {
        precondition(width > 0 && height > 0)
        let infinity = Float.greatestFiniteMagnitude
        var cost = [Float](repeating: infinity, count: height)
        var next = cost
        var from = [Int32](repeating: 0, count: width * height)
        let first = allowed(0)
        for y in first { cost[y] = 0 }
        strength.withUnsafeBufferPointer { g in
            from.withUnsafeMutableBufferPointer { back in
                for x in 1..<max(width, 1) {
                    let range = allowed(x)
                    for y in 0..<height { next[y] = infinity }
                    // Reached cost minus the strength of the pixel it ends on.
                    for y in 0..<height where cost[y] < infinity { cost[y] -= g[(x - 1) * height + y] }
                    for y in range {
                        let gb = g[x * height + y]
                        var best = infinity
                        var bestRow = y
                        let lower = max(0, y - maxStep), upper = min(height - 1, y + maxStep)
                        for previous in lower...upper where cost[previous] < infinity {
                            let step = abs(previous - y)
                            let total = cost[previous] + (step > 1 ? jumpPenalty * Float(step - 1) : 0)
                            if total < best { best = total; bestRow = previous }
                        }
                        if best < infinity { next[y] = best + 2 - gb + 1e-5 }
                        back[x * height + y] = Int32(bestRow)
                    }
                    // A column that cannot be reached from the previous one (ranges too far apart)
                    // restarts the path there rather than failing.
                    if !range.contains(where: { next[$0] < infinity }) {
                        let restart = cost.min() ?? 0
                        for y in range { next[y] = restart; back[x * height + y] = Int32(clamping: cost.firstIndex(of: restart) ?? y) }
                    }
                    swap(&cost, &next)
                }
            }
        }
        var row = allowed(width - 1).min { cost[$0] < cost[$1] } ?? 0
        var rows = [Int](repeating: 0, count: width)
        for x in stride(from: width - 1, through: 0, by: -1) {
            rows[x] = row
            if x > 0 { row = Int(from[x * height + row]) }
        }
        return rows
    }
}
