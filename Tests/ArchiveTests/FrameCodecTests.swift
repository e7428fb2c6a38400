import Archive
import Codec
import DICOM
import Foundation
import Imaging
import TestSupport
import Testing

@testable import Container

/// Frames of the samples through FrameCodec: geometry, padding and bit depth come back exactly.
@Suite struct FrameCodecTests {
    static let codec = Result { FrameCodec(profile: try ProfileLibrary(folders: [Fixtures.profiles]).load("cr40")) }

    static func instance(_ name: String) throws -> OCTInstance {
        try OCTInstance.open(Fixtures.samples.appendingPathComponent(name))
    }

    static func record(_ coded: FrameCodec.Coded) -> FrameRecord {
        FrameRecord(instanceIndex: 0, frameIndex: 0, roi: coded.roi, bitstream: coded.bitstream, pixelChecksum: nil)
    }
}

extension FrameCodecTests {
    @Test func spectralisPaddingComesBackExactlyAndTheRetinaClose() throws {
        let codec = try Self.codec.get()
        let instance = try Self.instance("duke-subject07-8bit.dcm")
        let original = try instance.frame(0)
        let coded = try codec.encode(original, geometry: instance.geometry)
        #expect(try FrameCodec.roiGeometry(of: Self.record(coded)).mode == .band)
        let restored = try codec.decode(Self.record(coded), geometry: instance.geometry)
        #expect(restored.width == original.width && restored.height == original.height)
        let mask = try #require(
            FrameCodec.padding(
                FrameCodec.intensities(original, geometry: instance.geometry),
                geometry: instance.geometry
            ).mask
        ).image
        let padding = zip(mask.pixels, restored.pixels).filter { $0.0 }
        #expect(padding.count > 1000)  // the sample's white wedges
        #expect(padding.allSatisfy { $0.1 == 255 })
        #expect(restored.pixels.allSatisfy { $0 <= 255 })
    }

    @Test func twelveBitFramesKeepTheirRange() throws {
        let codec = try Self.codec.get()
        let instance = try Self.instance("bioptigen-subj13-12bit.dcm")
        let original = try instance.frame(2)
        let restored = try codec.decode(
            Self.record(try codec.encode(original, geometry: instance.geometry)), geometry: instance.geometry)
        #expect(restored.pixels.allSatisfy { $0 <= 4095 })
        let scores = try Metrics.compare(
            restored.normalized(maxValue: 4095), original.normalized(maxValue: 4095), dataRange: 1)
        #expect(scores.psnr > 15)
    }

    @Test func monochrome1IsInvertedForTheCodecAndBack() throws {
        var geometry = FrameGeometry(
            rows: 4, columns: 3, numberOfFrames: 1, bitsAllocated: 16, bitsStored: 12, highBit: 11,
            photometricInterpretation: "MONOCHROME1")
        let frame = Image<UInt16>(width: 3, height: 4, pixels: [0, 4095, 100, 2000, 7, 8, 9, 10, 11, 12, 13, 4000])
        let intensities = FrameCodec.intensities(frame, geometry: geometry)
        #expect(intensities[0, 0] == 1 && intensities[1, 0] == 0)
        #expect(FrameCodec.storedValues(intensities, geometry: geometry) == frame)
        geometry.photometricInterpretation = "MONOCHROME2"
        #expect(FrameCodec.intensities(frame, geometry: geometry)[1, 0] == 1)
    }

    @Test func aBlankFrameIsCodedWholeAndComesBackBlank() throws {
        let codec = try Self.codec.get()
        let geometry = FrameGeometry(
            rows: 200, columns: 300, numberOfFrames: 1, bitsAllocated: 8, bitsStored: 8, highBit: 7)
        let blank = Image<UInt16>(width: 300, height: 200, repeating: 40)
        let coded = try codec.encode(blank, geometry: geometry)
        #expect(try FrameCodec.roiGeometry(of: Self.record(coded)).mode == .wholeFrame)
        let restored = try codec.decode(Self.record(coded), geometry: geometry)
        let mean = Double(restored.pixels.reduce(0) { $0 + Int($1) }) / Double(restored.pixels.count)
        #expect(abs(mean - 40) < 3, "mean \(mean)")
        let psnr = try Metrics.psnr(restored.normalized(maxValue: 255), blank.normalized(maxValue: 255), dataRange: 1)
        #expect(psnr > 30, "PSNR \(psnr) dB")
    }

    /// Format version 1 stored a frame's mode twice (the record's mode byte and the ROI record's flag);
    /// a version-1 record whose two copies disagree is refused, one whose copies agree restores.
    @Test func aVersion1RecordWhoseModeByteDisagreesIsRefused() throws {
        let codec = try Self.codec.get()
        let instance = try Self.instance("duke-subject07-8bit.dcm")
        var record = Self.record(try codec.encode(try instance.frame(0), geometry: instance.geometry))
        #expect(try FrameCodec.roiGeometry(of: record).mode == .band)
        record.version1Mode = .roiBand
        #expect(try FrameCodec.roiGeometry(of: record).mode == .band)
        record.version1Mode = .wholeFrame
        let error = #expect(throws: ArchiveError.self) { try FrameCodec.roiGeometry(of: record) }
        #expect(error?.description.contains("disagrees") == true)
    }

    @Test func aRecordFromAnotherGeometryIsRefused() throws {
        let codec = try Self.codec.get()
        let instance = try Self.instance("bioptigen-subj13-12bit.dcm")
        let coded = try codec.encode(try instance.frame(0), geometry: instance.geometry)
        var other = instance.geometry
        other.columns = 800
        #expect(throws: ArchiveError.self) { try codec.decode(Self.record(coded), geometry: other) }
    }
}
