import Foundation
import Support

/// Runs frame jobs on `jobs` threads in bounded windows, returning results in job order.
///
/// At most `2 x jobs` frames are in flight, so memory does not grow with the series; results come
/// back in order so that containers are written identically whatever `jobs` is.
struct ParallelFrames: Sendable {
    let jobs: Int

    init(jobs: Int) {
        self.jobs = max(1, jobs)
    }

    /// Calls `work` for every index of `0..<count` (in parallel within each window) and `consume` for
    /// every result in index order, window after window. Stops at the first error `consume` throws.
    func run<Result: Sendable>(
        count: Int, work: @escaping @Sendable (Int) -> Result,
        consume: (Int, Result) throws -> Void
    ) rethrows {
        let window = 2 * jobs
        var start = 0
        while start < count {
            let size = min(window, count - start)
            let results = Locked([Result?](repeating: nil, count: size))
            let first = start
            let jobs = self.jobs
            DispatchQueue.concurrentPerform(iterations: min(jobs, size)) { worker in
                for slot in stride(from: worker, to: size, by: jobs) {
                    let result = work(first + slot)
                    results.withLock { $0[slot] = result }
                }
            }
            for (slot, result) in results.withLock({ $0 }).enumerated() {
                try consume(first + slot, result!)
            }
            start += size
        }
    }
}
