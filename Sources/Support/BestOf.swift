import Dispatch

/// Wall-clock timing for benchmarks on a shared machine: run the work several times and keep the
/// fastest run (the one least disturbed by other work), and the median.
///
/// ```swift
/// let timing = try BestOf.measure(3, warmUp: true) { try network.run(inputs) }
/// print(timing.fastest, timing.median)   // seconds
/// ```
public struct BestOf<Value> {
    /// What the last run returned.
    public let value: Value
    /// Seconds of every timed run, fastest first.
    public let seconds: [Double]

    /// Seconds of the fastest run.
    public var fastest: Double { seconds[0] }
    /// Seconds of the median run (the upper one of an even count).
    public var median: Double { seconds[seconds.count / 2] }

    /// Times `runs` calls of `body` (at least one), after one untimed call when `warmUp` is set.
    public static func measure(_ runs: Int, warmUp: Bool = false, _ body: () throws -> Value) rethrows -> BestOf {
        if warmUp { _ = try body() }
        var value: Value?
        var seconds: [Double] = []
        for _ in 0..<max(1, runs) {
            let start = DispatchTime.now().uptimeNanoseconds
            value = try body()
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return BestOf(value: value!, seconds: seconds.sorted())
    }

    private init(value: Value, seconds: [Double]) {
        self.value = value
        self.seconds = seconds
    }
}
