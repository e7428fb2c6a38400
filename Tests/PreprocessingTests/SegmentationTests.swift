import Foundation
import Imaging
import Preprocessing
import TestSupport
import Testing

@Suite struct SegmentationTests {}

extension SegmentationTests {
    /// Mean |row difference| ≤ 2 px for ILM (CSV line 1) and BM (line 6, outer RPE boundary)
    /// on every Bioptigen dev subject that has a reference.
    @Test(.enabled(if: Fixtures.hasSharedData)) func bioptigenBoundariesMatchReference() throws {
        var checked = 0
        for subject in ["subj13", "subj14"] {
            let folder = DevFrames.bioptigen.appendingPathComponent(subject)
            let (frame, padding) = try DevFrames.load(folder.appendingPathComponent("noisy_test.png"))
            let found = LayerSegmenter().segment(frame, padding: padding)
            #expect(found.retinaFound, "\(subject): retina not found")
            let csv = folder.appendingPathComponent("noisy_test_layers_auto.csv")
            guard FileManager.default.fileExists(atPath: csv.path) else { continue }
            let layers = try DevFrames.referenceLayers(csv)
            func meanError(_ rows: [Int], _ reference: [Double]) -> Double {
                zip(rows, reference).map { abs(Double($0) - ($1 - 1)) }.reduce(0, +) / Double(rows.count)
            }
            let ilm = meanError(found.ilm, layers[0])
            let bm = meanError(found.bm, layers[5])
            #expect(ilm <= 2, "\(subject): ILM mean error \(ilm) px")
            #expect(bm <= 2, "\(subject): BM mean error \(bm) px")
            checked += 1
        }
        #expect(checked >= 1, "no Bioptigen dev subject has a reference CSV")
    }

    /// Every Duke dev frame (DME, padding wedges, vessel shadows, the optic disc at the edge) has
    /// a retina with a plausible layout: ILM above BM everywhere, a retinal thickness of a DME
    /// macula, boundaries inside the frame and not on padding.
    @Test(.enabled(if: Fixtures.hasSharedData)) func dukeFramesAllHaveAPlausibleRetina() throws {
        for number in 1...61 {
            let (frame, padding) = try DevFrames.dukeFrame(number)
            let found = LayerSegmenter().segment(frame, padding: padding)
            #expect(found.retinaFound, "bscan\(number): retina not found")
            let thickness = zip(found.ilm, found.bm).map { $1 - $0 }
            #expect(thickness.allSatisfy { $0 > 0 }, "bscan\(number): BM above ILM somewhere")
            let median = thickness.sorted()[thickness.count / 2]
            #expect((50...200).contains(median), "bscan\(number): median thickness \(median) px")
            #expect(found.ilm.allSatisfy { (0..<frame.height).contains($0) })
            #expect(found.bm.allSatisfy { (0..<frame.height).contains($0) })
            if let padding {
                let onPadding = (0..<frame.width).filter { padding.contains(x: $0, y: found.ilm[$0]) }.count
                #expect(onPadding * 20 < frame.width, "bscan\(number): ILM on padding in \(onPadding) columns")
            }
        }
    }

    /// At the optic disc (Duke dev frames 28-36, the cup at the frame's left edge) the ILM follows
    /// the tissue's surface down into the cup instead of bridging it through vitreous: in at most
    /// 20 columns per frame do the 8 rows from the ILM have a mean below a quarter of the way from
    /// the vitreous level to the retina's (raw frame, medians above ILM − 10 and within ILM + 3 ..
    /// BM − 3). The path alone, before `followingTheSurface`, left 41-119 such columns in each of
    /// these frames but frame 30; frames away from the disc have at most 2.
    @Test(.enabled(if: Fixtures.hasSharedData)) func theILMFollowsTheOpticCup() throws {
        for number in 28...36 {
            let (frame, padding) = try DevFrames.dukeFrame(number)
            let found = LayerSegmenter().segment(frame, padding: padding)
            func isScan(_ x: Int, _ y: Int) -> Bool { !(padding?.contains(x: x, y: y) ?? false) }
            var vitreous: [Float] = []
            var retina: [Float] = []
            for x in 0..<frame.width {
                for y in 0..<max(found.ilm[x] - 10, 0) where isScan(x, y) { vitreous.append(frame[x, y]) }
                for y in (found.ilm[x] + 3)..<max(found.bm[x] - 3, found.ilm[x] + 3) where isScan(x, y) {
                    retina.append(frame[x, y])
                }
            }
            try #require(!vitreous.isEmpty && !retina.isEmpty)
            let dark = vitreous.sorted()[vitreous.count / 2]
            let bright = retina.sorted()[retina.count / 2]
            let threshold = dark + (bright - dark) / 4
            let inVitreous = (0..<frame.width).filter { x in
                let rows = (found.ilm[x]..<min(found.ilm[x] + 8, frame.height)).filter { isScan(x, $0) }
                return !rows.isEmpty && rows.map { frame[x, $0] }.reduce(0, +) / Float(rows.count) < threshold
            }
            #expect(inVitreous.count <= 20, "bscan\(number): ILM in vitreous in \(inVitreous.count) columns")
        }
    }

    /// At the optic disc there is no RPE, and a path through the disc follows whatever edge the disc
    /// tissue offers. BM carried straight across from the RPE's ends (`acrossTheOpening`) stays
    /// where it was when the frame is lightly changed: Duke dev frames 28-36, each with four draws
    /// of seeded Gaussian noise of σ 8 grey levels added outside the padding, keep BM within 3 rows
    /// in every column where BM is not held 2 rows under an ILM that went deeper into the cup (there
    /// it moves with the ILM). The path alone, without the bridge, moved 4-31 rows on 8 of these 9
    /// frames; without the IS/OS searched again below an ILM moved onto the tissue, BM hung in the
    /// nerve fibres of frames 28 and 29 and moved 4-10 rows there on 6 of the 8 draws.
    @Test(.enabled(if: Fixtures.hasSharedData)) func bmCrossesTheOpticDiscWhereItWas() throws {
        for number in 28...36 {
            let (frame, padding) = try DevFrames.dukeFrame(number)
            let before = LayerSegmenter().segment(frame, padding: padding)
            try #require(before.retinaFound, "bscan\(number): retina not found")
            // Several draws: a boundary that holds for one draw of the noise and not another is
            // not where it was.
            for seed in UInt64(1)...4 {
                var generator = SeededGenerator(seed: seed * 100 + UInt64(number))
                var noisy = frame
                for y in 0..<frame.height {
                    for x in 0..<frame.width where !(padding?.contains(x: x, y: y) ?? false) {
                        let grey = (frame[x, y] * 255 + 8 * Float(generator.gaussian())).rounded()
                        noisy[x, y] = min(max(grey, 0), 254) / 255
                    }
                }
                let after = LayerSegmenter().segment(noisy, padding: padding)
                try #require(after.retinaFound, "bscan\(number), seed \(seed): retina not found")
                let free = (0..<frame.width).filter {
                    before.bm[$0] > before.ilm[$0] + 2 && after.bm[$0] > after.ilm[$0] + 2
                }
                let shift = free.map { abs(before.bm[$0] - after.bm[$0]) }.max() ?? 0
                #expect(
                    free.count * 10 > frame.width * 9,
                    "bscan\(number), seed \(seed): BM held under the ILM in \(frame.width - free.count) columns")
                #expect(shift <= 3, "bscan\(number), seed \(seed): BM moved \(shift) rows")
            }
        }
    }

    @Test func segmentationIsDeterministic() {
        let frame = DevFrames.noise(width: 200, height: 120, seed: 3)
        #expect(LayerSegmenter().segment(frame) == LayerSegmenter().segment(frame))
    }
}
