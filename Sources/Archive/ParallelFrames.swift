import Foundation

/// Runs frame jobs on `jobs` threads, returning results in job order.
///
/// Each thread takes the next frame as soon as it is done with one, and the calling thread consumes
/// the results in order as they arrive, so a slow frame holds up no other thread. At most
/// `2 x jobs` frames are taken and not yet consumed, so memory does not grow with the series;
/// results come back in order so that containers are written identically whatever `jobs` is.
struct ParallelFrames: Sendable {
    let jobs: Int

    init(jobs: Int) {
        self.jobs = max(1, jobs)
    }

    /// Calls `work` for every index of `0..<count` on the worker threads and `consume` for every
    /// result in index order on the calling thread. Stops at the first error `consume` throws: no
    /// further frame is started, the frames in progress finish, and the error is rethrown.
    func run<Result: Sendable>(
        count: Int, work: @escaping @Sendable (Int) -> Result,
        consume: (Int, Result) throws -> Void
    ) rethrows {
        guard count > 0 else { return }
        let queue = FrameQueue<Result>(count: count, lookAhead: 2 * jobs)
        let workers = min(jobs, count)
        for _ in 0..<workers {
            let thread = Thread {
                while let index = queue.take() { queue.deliver(index, work(index)) }
                queue.workerFinished()
            }
            // Frames run oneDNN and the exact kernels: the stack of a main thread, not a secondary one's.
            thread.stackSize = 8 << 20
            thread.start()
        }
        defer { queue.stopAndWait(workers: workers) }
        for index in 0..<count {
            try consume(index, queue.result(index))
        }
    }
}

/// The state ParallelFrames' threads share: the next frame to take, the results not yet consumed.
private final class FrameQueue<Result: Sendable>: @unchecked Sendable {
    // Every access to the variables below holds `condition`'s lock.
    private let condition = NSCondition()
    private let count: Int
    private let lookAhead: Int
    private var next = 0
    private var consumed = 0
    private var results: [Int: Result] = [:]
    private var stopped = false
    private var finishedWorkers = 0

    init(count: Int, lookAhead: Int) {
        self.count = count
        self.lookAhead = lookAhead
    }

    /// The next frame for a worker, once it is within `lookAhead` of the first one not consumed;
    /// nil when all are taken or the run stopped.
    func take() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while !stopped && next < count && next >= consumed + lookAhead { condition.wait() }
        guard !stopped && next < count else { return nil }
        next += 1
        return next - 1
    }

    func deliver(_ index: Int, _ result: Result) {
        condition.lock()
        results[index] = result
        condition.broadcast()
        condition.unlock()
    }

    /// Frame `index`'s result, waiting for it; the frame then counts as consumed.
    func result(_ index: Int) -> Result {
        condition.lock()
        defer { condition.unlock() }
        while results[index] == nil { condition.wait() }
        consumed = index + 1
        condition.broadcast()
        return results.removeValue(forKey: index)!
    }

    func workerFinished() {
        condition.lock()
        finishedWorkers += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Lets no worker take another frame and waits until every worker has returned.
    func stopAndWait(workers: Int) {
        condition.lock()
        stopped = true
        condition.broadcast()
        while finishedWorkers < workers { condition.wait() }
        condition.unlock()
    }
}
