import Imaging
import Preprocessing
import TestSupport
import Testing

/// Issue 13 rule 2: a blank B-scan (every pixel the padding value) or a tiny frame gets a geometry
/// whose record encodes and decodes (it crashed converting NaN to Int), and whose band round-trips.
@Suite struct DegenerateFrameTests {
    static func check(_ frame: Image<Float>, padding: PaddingMask?, _ label: String) throws {
        let analysis = Preprocessor().analyze(frame, padding: padding)
        let geometry = analysis.geometry
        #expect(geometry.backgroundAbove.isFinite && geometry.backgroundBelow.isFinite, "\(label)")
        let decoded = try ROIRecord.decode(ROIRecord.encode(geometry))
        #expect(decoded == geometry, "\(label): the ROI record does not round-trip")
        let restored = decoded.insertBand(decoded.extractBand(from: frame))
        #expect(restored.width == frame.width && restored.height == frame.height, "\(label)")
        if geometry.mode == .wholeFrame {
            let exact = restored == frame
            #expect(exact, "\(label): whole-frame round trip is not exact")
        }
    }
}

extension DegenerateFrameTests {
    @Test func aBlankFrameOfPaddingIsCodedWhole() throws {
        let frame = Image<Float>(width: 768, height: 496, repeating: 1)
        let padding = try #require(PaddingMask.edgeRuns(of: 1, in: frame))
        try Self.check(frame, padding: padding, "blank")
        #expect(Preprocessor().analyze(frame, padding: padding).geometry.mode == .wholeFrame)
    }

    @Test(arguments: [(1, 768), (496, 1), (8, 8), (2, 2)])
    func aTinyFrameGetsAGeometry(rows: Int, columns: Int) throws {
        var generator = SeededGenerator(seed: UInt64(rows * 1000 + columns))
        var frame = Image<Float>(width: columns, height: rows, repeating: 0)
        for y in 0..<rows { for x in 0..<columns { frame[x, y] = Float.random(in: 0...1, using: &generator) } }
        try Self.check(frame, padding: nil, "\(rows)x\(columns)")
        let blank = Image<Float>(width: columns, height: rows, repeating: 1)
        try Self.check(blank, padding: PaddingMask.edgeRuns(of: 1, in: blank), "blank \(rows)x\(columns)")
    }
}
