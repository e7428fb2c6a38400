import Foundation
import Imaging
import Preprocessing
import TestSupport
import Testing

@Suite struct ROIRecordTests {
    static func syntheticGeometry() -> ROIGeometry {
        let width = 100
        let height = 80
        let top = (0..<width).map { -3 + $0 / 7 }
        let bottom = top.map { $0 + 50 }
        var mask = Image<Bool>(width: width, height: height, repeating: false)
        for x in 0..<30 { for y in 0..<(30 - x) { mask[x, y] = true } }
        for x in 60..<width { for y in (height - (x - 55))..<height { mask[x, y] = true } }
        return ROIGeometry(
            mode: .band, frameWidth: width, frameHeight: height, bandWidth: 128, bandHeight: 64,
            top: top, bottom: bottom, padding: PaddingMask(mask), paddingValue: 1,
            backgroundAbove: 0.1, backgroundBelow: 0.05)
    }

    /// The synthetic geometry with the coarse context of a frame that is noise over a vertical ramp.
    static func syntheticGeometryWithContext() -> ROIGeometry {
        var geometry = syntheticGeometry()
        var frame = DevFrames.noise(width: geometry.frameWidth, height: geometry.frameHeight, seed: 7)
        for y in 0..<frame.height { for x in 0..<frame.width { frame[x, y] = 0.2 * frame[x, y] + Float(y) / 100 } }
        geometry.context = CoarseContext.measure(
            frame: frame, top: geometry.top, bottom: geometry.bottom,
            padding: geometry.padding)
        return geometry
    }
}

extension ROIRecordTests {
    @Test func syntheticRecordRoundTrips() throws {
        let geometry = Self.syntheticGeometry()
        let bytes = ROIRecord.encode(geometry)
        #expect(bytes[0] == 1, "without a context, the version every earlier octarc reads")
        #expect(try ROIRecord.decode(bytes) == geometry)
        let withContext = Self.syntheticGeometryWithContext()
        let contextBytes = ROIRecord.encode(withContext)
        #expect(contextBytes[0] == ROIRecord.version && contextBytes[1] & 4 != 0)
        #expect(try ROIRecord.decode(contextBytes) == withContext)
        #expect(contextBytes.count > bytes.count + 3)
        var wholeWithContext = withContext
        wholeWithContext.mode = .wholeFrame
        #expect(ROIRecord.encode(wholeWithContext)[0] == 1, "whole-frame mode codes the frame itself: no context")
        let whole = ROIGeometry.wholeFrame(
            width: 90, height: 70, multiple: 32, padding: nil, paddingValue: 0, background: 0.2)
        #expect(try ROIRecord.decode(ROIRecord.encode(whole)) == whole)
        #expect(ROIRecord.encode(whole).count == 14)
    }

    @Test(.enabled(if: Fixtures.hasSharedData)) func dukeRecordsRoundTripCompactly() throws {
        var total = 0
        for number in stride(from: 1, through: 61, by: 6) {
            let (frame, padding) = try DevFrames.dukeFrame(number)
            let geometry = Preprocessor().analyze(frame, padding: padding).geometry
            let bytes = ROIRecord.encode(geometry)
            #expect(try ROIRecord.decode(bytes) == geometry, "bscan\(number)")
            total += bytes.count
        }
        // Two curves and the padding runs of a 768-column frame in well under 2 bytes per column.
        #expect(total / 11 < 1536, "\(total / 11) bytes per frame")
    }

    @Test(arguments: [false, true]) func truncatedRecordsThrow(context: Bool) {
        let bytes = ROIRecord.encode(context ? Self.syntheticGeometryWithContext() : Self.syntheticGeometry())
        for length in 0..<bytes.count {
            #expect(throws: ROIRecord.Failure.self, "length \(length)") {
                try ROIRecord.decode(Array(bytes.prefix(length)))
            }
        }
        #expect(throws: ROIRecord.Failure.self) { try ROIRecord.decode(bytes + [0]) }
    }

    @Test func badHeadersThrow() {
        let bytes = ROIRecord.encode(Self.syntheticGeometry())
        var wrongVersion = bytes
        wrongVersion[0] = 2
        #expect(throws: ROIRecord.Failure.self, "version 2 without the context flag") {
            try ROIRecord.decode(wrongVersion)
        }
        wrongVersion[0] = 3
        #expect(throws: ROIRecord.Failure.self) { try ROIRecord.decode(wrongVersion) }
        let contextBytes = ROIRecord.encode(Self.syntheticGeometryWithContext())
        var contextInVersion1 = contextBytes
        contextInVersion1[0] = 1
        #expect(throws: ROIRecord.Failure.self) { try ROIRecord.decode(contextInVersion1) }
        var contextInWholeFrame = contextBytes
        contextInWholeFrame[1] |= 1
        #expect(throws: ROIRecord.Failure.self) { try ROIRecord.decode(contextInWholeFrame) }
        var oneLevel = contextBytes
        oneLevel[14 + 4 + 2] = 1  // after the header and the padding value: cell height, cell width, levels
        #expect(throws: ROIRecord.Failure.self) { try ROIRecord.decode(oneLevel) }
        var unknownFlag = bytes
        unknownFlag[1] |= 0x80
        #expect(throws: ROIRecord.Failure.self) { try ROIRecord.decode(unknownFlag) }
        var zeroWidth = bytes
        zeroWidth[2] = 0
        zeroWidth[3] = 0
        #expect(throws: ROIRecord.Failure.self) { try ROIRecord.decode(zeroWidth) }
        var narrowBand = bytes
        narrowBand[6] = 10
        narrowBand[7] = 0
        #expect(throws: ROIRecord.Failure.self) { try ROIRecord.decode(narrowBand) }
    }

    /// Every single-bit corruption either throws or decodes to a self-consistent geometry
    /// (never traps): its curves fit the band and its padding runs the frame.
    @Test(arguments: [false, true]) func corruptedRecordsNeverTrap(context: Bool) {
        let bytes = ROIRecord.encode(context ? Self.syntheticGeometryWithContext() : Self.syntheticGeometry())
        var rejected = 0
        for bit in 0..<(bytes.count * 8) {
            var corrupt = bytes
            corrupt[bit / 8] ^= UInt8(1 << (bit % 8))
            do {
                let geometry = try ROIRecord.decode(corrupt)
                for x in 0..<geometry.frameWidth {
                    #expect(geometry.bottom[x] - geometry.top[x] < geometry.bandHeight)
                }
                let band = geometry.extractBand(
                    from: Image(width: geometry.frameWidth, height: geometry.frameHeight, repeating: 0.5))
                _ = geometry.insertBand(band)
            } catch {
                rejected += 1
            }
        }
        #expect(rejected > 0)
    }
}
