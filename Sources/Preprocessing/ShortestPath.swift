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
    /// `allowed(x)` (a row range per column, clamped to the grid) are not visited.
    func path(strength: [Float], width: Int, height: Int, allowed: (Int) -> ClosedRange<Int>) -> [Int] {
        precondition(width > 0 && height > 0 && strength.count == width * height)
        let infinity = Float.greatestFiniteMagnitude
        let penalties = (0...maxStep).map { $0 > 1 ? jumpPenalty * Float($0 - 1) : 0 }
        func clamped(_ x: Int) -> ClosedRange<Int> {
            let range = allowed(x)
            let lower = min(max(range.lowerBound, 0), height - 1)
            return lower...min(max(range.upperBound, lower), height - 1)
        }
        var cost = [Float](repeating: infinity, count: height)
        var next = cost
        var from = [Int32](repeating: 0, count: width * height)
        var previousRange = clamped(0)
        for y in previousRange { cost[y] = 0 }
        strength.withUnsafeBufferPointer { g in
            from.withUnsafeMutableBufferPointer { back in
                for x in 1..<width {
                    let range = clamped(x)
                    cost.withUnsafeMutableBufferPointer { c in
                        next.withUnsafeMutableBufferPointer { n in
                            // Reached cost minus the strength of the pixel it ends on.
                            let column = g.baseAddress! + (x - 1) * height
                            for y in previousRange { c[y] -= column[y] }
                            let here = g.baseAddress! + x * height
                            let links = back.baseAddress! + x * height
                            var reached = false
                            for y in range {
                                var best = infinity
                                var bestRow = y
                                let lower = max(previousRange.lowerBound, y - maxStep)
                                let upper = min(previousRange.upperBound, y + maxStep)
                                if lower <= upper {
                                    for previous in lower...upper {
                                        let total = c[previous] + penalties[abs(previous - y)]
                                        if total < best {
                                            best = total
                                            bestRow = previous
                                        }
                                    }
                                }
                                if best < infinity {
                                    n[y] = best + 2 - here[y] + 1e-5
                                    reached = true
                                } else {
                                    n[y] = infinity
                                }
                                links[y] = Int32(bestRow)
                            }
                            // A column out of reach of the previous one (ranges too far apart)
                            // restarts the path at the best row so far rather than failing.
                            if !reached {
                                var bestRow = previousRange.lowerBound
                                for y in previousRange where c[y] < c[bestRow] { bestRow = y }
                                for y in range {
                                    n[y] = c[bestRow] + 2 - here[y]
                                    links[y] = Int32(bestRow)
                                }
                            }
                            for y in previousRange { c[y] = infinity }
                        }
                    }
                    swap(&cost, &next)
                    previousRange = range
                }
            }
        }
        var row = previousRange.lowerBound
        for y in previousRange where cost[y] < cost[row] { row = y }
        var rows = [Int](repeating: 0, count: width)
        for x in stride(from: width - 1, through: 0, by: -1) {
            rows[x] = row
            if x > 0 { row = Int(from[x * height + row]) }
        }
        return rows
    }
}
