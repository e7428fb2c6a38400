import Foundation
import Support
import Testing

@testable import Archive

/// The frame scheduler behind convert, restore and verify: every frame once, results in frame order
/// whatever the threads' timing, bounded look-ahead, and a consumer's error stops the run.
@Suite struct ParallelFramesTests {
    /// A few milliseconds of work that varies by frame, so that the threads finish out of order.
    static func busy(_ index: Int) -> Int {
        Thread.sleep(forTimeInterval: Double((index * 7) % 5) / 1000)
        return index * index
    }

    @Test(arguments: [1, 2, 3, 8])
    func everyFrameOnceAndInOrder(jobs: Int) {
        for count in [0, 1, 5, 37] {
            let calls = Locked([Int](repeating: 0, count: count))
            var consumed: [Int] = []
            ParallelFrames(jobs: jobs).run(
                count: count,
                work: { index in
                    calls.withLock { $0[index] += 1 }
                    return Self.busy(index)
                },
                consume: { index, result in
                    #expect(result == index * index)
                    consumed.append(index)
                })
            #expect(consumed == Array(0..<count), "jobs \(jobs), count \(count)")
            #expect(calls.withLock { $0 } == [Int](repeating: 1, count: count), "jobs \(jobs), count \(count)")
        }
    }

    /// A frame is started only while at most 2 x jobs frames are taken and not yet consumed (the one
    /// being consumed counts as consumed): a slow consumer does not let the results pile up.
    @Test func noFrameRunsFurtherAheadThanTwiceTheJobs() {
        let jobs = 3
        let consumedSoFar = Locked(0)
        let furthest = Locked(0)
        ParallelFrames(jobs: jobs).run(
            count: 40,
            work: { index in
                let ahead = index - consumedSoFar.withLock { $0 }
                furthest.withLock { $0 = max($0, ahead) }
                return index
            },
            consume: { index, _ in
                Thread.sleep(forTimeInterval: 0.002)
                consumedSoFar.withLock { $0 = index + 1 }
            })
        let ahead = furthest.withLock { $0 }
        #expect(ahead <= 2 * jobs)
        #expect(ahead > 0, "the workers ran ahead of the consumer at all")
    }

    struct Stop: Error {}

    /// The consumer's error comes out of `run`; frames after the look-ahead window are never
    /// started, and `run` returns only after the workers have (no work runs after it).
    @Test func aConsumersErrorStopsTheRun() {
        let jobs = 2
        let started = Locked(Set<Int>())
        let finishedAfterReturn = Locked(false)
        let returned = Locked(false)
        #expect(throws: Stop.self) {
            try ParallelFrames(jobs: jobs).run(
                count: 100,
                work: { index in
                    started.withLock { _ = $0.insert(index) }
                    let result = Self.busy(index)
                    if returned.withLock({ $0 }) { finishedAfterReturn.withLock { $0 = true } }
                    return result
                },
                consume: { index, _ in
                    if index == 10 { throw Stop() }
                })
        }
        returned.withLock { $0 = true }
        Thread.sleep(forTimeInterval: 0.02)
        #expect(!finishedAfterReturn.withLock { $0 })
        let highest = started.withLock { $0.max() ?? 0 }
        #expect(highest <= 10 + 2 * jobs, "frame \(highest) was started after the error at frame 10")
    }
}
