import Testing

@testable import Neural

@Suite struct ArenaLayoutTests {
    @Test func tensorsAliveTogetherNeverShareBytes() {
        var random = TestRandom(state: 11)
        for _ in 0..<50 {
            let count = 12
            let sizes = (0..<count).map { _ in Int((random.next() + 1) * 5000) + 1 }
            let lifetimes = (0..<count).map { _ -> ClosedRange<Int> in
                let a = Int((random.next() + 1) * 10)
                let b = Int((random.next() + 1) * 10)
                return min(a, b)...max(a, b)
            }
            let layout = ArenaLayout(sizes: sizes, lifetimes: lifetimes)
            for i in 0..<count {
                #expect(layout.offsets[i] % 64 == 0)
                #expect(layout.offsets[i] + sizes[i] <= layout.size)
                for j in 0..<count where j != i && lifetimes[i].overlaps(lifetimes[j]) {
                    let a = layout.offsets[i]..<(layout.offsets[i] + sizes[i])
                    let b = layout.offsets[j]..<(layout.offsets[j] + sizes[j])
                    #expect(!a.overlaps(b))
                }
            }
        }
    }

    @Test func reusesMemoryOfFinishedTensors() {
        // A chain: each tensor is read only by the next step.
        let layout = ArenaLayout(sizes: [640, 640, 640, 640], lifetimes: [0...1, 1...2, 2...3, 3...4])
        #expect(layout.size == 1280)
    }
}
