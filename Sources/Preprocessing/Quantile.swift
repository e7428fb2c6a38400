/// Approximate quantiles without sorting: a histogram of 4096 bins between the smallest and
/// largest value, read at the requested rank. Exact to 1/4096 of the value range; deterministic.
enum Quantile {
    static let bins = 4096

    /// The value below which a fraction `q` (0...1) of `values` lies; nil for no values.
    static func of(_ values: [Float], _ q: Float) -> Float? {
        values.withUnsafeBufferPointer { of($0, q) }
    }

    private static func of(_ values: UnsafeBufferPointer<Float>, _ q: Float) -> Float? {
        guard var low = values.first else { return nil }
        var high = low
        for value in values {
            low = min(low, value)
            high = max(high, value)
        }
        guard high > low else { return low }
        let scale = Float(bins - 1) / (high - low)
        var counts = [Int](repeating: 0, count: bins)
        counts.withUnsafeMutableBufferPointer { counts in
            for value in values { counts[Int((value - low) * scale)] += 1 }
        }
        let rank = min(values.count - 1, Int(Float(values.count - 1) * min(max(q, 0), 1)))
        var seen = 0
        for (bin, count) in counts.enumerated() {
            seen += count
            if seen > rank { return low + (Float(bin) + 0.5) / scale }
        }
        return high
    }
}
