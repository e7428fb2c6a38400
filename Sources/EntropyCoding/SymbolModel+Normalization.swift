extension SymbolModel {
    /// Turns one channel's raw counts into `counts.count + 1` frequencies (the last for the escape
    /// symbol) that are all at least 1 and sum to exactly `1 << precisionBits`, with integers only.
    ///
    /// Every symbol first gets 1. The remaining `2^p - (L + 1)` are shared in proportion to the counts,
    /// rounded down; what rounding left over goes, one each, to the symbols with the largest remainders
    /// (ties to the lower symbol). The escape symbol keeps 1. Counts that are all zero share the
    /// remainder evenly over the L symbols (the first ones get one more when it does not divide).
    static func normalize(_ counts: [UInt32], precisionBits: Int) -> [UInt32] {
        let levels = counts.count
        let total = UInt64(1) << UInt64(precisionBits)
        let spare = total - UInt64(levels + 1)
        var frequencies = [UInt32](repeating: 1, count: levels + 1)
        let countSum = counts.reduce(UInt64(0)) { $0 + UInt64($1) }

        if countSum == 0 {
            let share = spare / UInt64(levels)
            let extra = Int(spare % UInt64(levels))
            for symbol in 0..<levels {
                frequencies[symbol] += UInt32(share) + (symbol < extra ? 1 : 0)
            }
            return frequencies
        }

        // counts[s] < 2^32 and spare < 2^16, so the products fit 64 bits.
        var remainders = [UInt64](repeating: 0, count: levels)
        var assigned: UInt64 = 0
        for symbol in 0..<levels {
            let scaled = UInt64(counts[symbol]) * spare
            let share = scaled / countSum
            remainders[symbol] = scaled % countSum
            frequencies[symbol] += UInt32(share)
            assigned += share
        }
        let leftover = Int(spare - assigned)  // < levels
        if leftover > 0 {
            let order = (0..<levels).sorted { a, b in
                remainders[a] != remainders[b] ? remainders[a] > remainders[b] : a < b
            }
            for symbol in order.prefix(leftover) {
                frequencies[symbol] += 1
            }
        }
        return frequencies
    }
}
