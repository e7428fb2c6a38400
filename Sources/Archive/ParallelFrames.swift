import Foundation

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
    func run<Result: Sendable>(count: Int, work: @escaping @Sendable (Int) -> Result,
                               consume: (Int, Result) throws -> Void) rethrows {
        let window = 2 * jobs
        var start = 0
        while start < count {
            let size = min(window, count - start)
            let results = ResultSlots<Result>(count: size)
            let first = start
            let jobs = self.jobs
            DispatchQueue.concurrentPerform(iterations: min(jobs, size)) { worker in
                for slot in stride(from: worker, to: size, by: jobs) {
                    results.set(slot, work(first + slot))
                }
            }
            for slot in 0..<size {
                try consume(first + slot, results.get(slot))
            }
            start += size
        }
    }
}

/// Fixed slots written by worker threads, read after they finish.
private final class ResultSlots<Result>: @unchecked Sendable {
    private var slots: [Result?]
    private let lock = NSLock()

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func set(_ index: Int, _ value: Result) {
        lock.lock()
        slots[index] = value
        lock.unlock()
    }

    func get(_ index: Int) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return slots[index]!
    }
}
