import DICOM
import Dispatch
import Foundation
import Imaging
import Support
import TestSupport
import Testing

@Suite struct SampleReadingTests {}

extension SampleReadingTests {
    @Test func scanFindsBothSampleSeries() throws {
        let archive = StudyArchive.scan(Fixtures.samples)
        #expect(archive.skipped.map(\.url.lastPathComponent).allSatisfy { !$0.hasSuffix(".dcm") })
        #expect(archive.series.count == 2)
        let duke = try #require(archive.series.first { $0.patientID == "DUKE-DME-07" })
        let bioptigen = try #require(archive.series.first { $0.patientID == "BIOPTIGEN-SUBJ13" })
        #expect(duke.instances.count == 1 && bioptigen.instances.count == 1)

        let dukeInstance = duke.instances[0]
        #expect(dukeInstance.sopClassUID == DICOMUID.ophthalmicTomographyImageStorage)
        #expect(dukeInstance.transferSyntaxUID == TransferSyntax.explicitVRLittleEndian)
        #expect(
            dukeInstance.geometry
                == FrameGeometry(
                    rows: 496, columns: 768, numberOfFrames: 16, bitsAllocated: 8,
                    bitsStored: 8, highBit: 7, pixelPaddingValue: 255))
        #expect(dukeInstance.sourceSOPInstanceUID == nil)

        let bioptigenInstance = bioptigen.instances[0]
        #expect(bioptigenInstance.transferSyntaxUID == TransferSyntax.jpegLSLossless)
        #expect(
            bioptigenInstance.geometry
                == FrameGeometry(
                    rows: 450, columns: 900, numberOfFrames: 5,
                    bitsAllocated: 16, bitsStored: 12, highBit: 11))
        #expect(
            bioptigenInstance.fileSize
                == (try FileManager.default.attributesOfItem(
                    atPath: TestFiles.bioptigen.path)[.size] as? Int))
    }

    @Test(.enabled(if: Fixtures.hasSharedData))
    func eightBitFramesEqualTheirPNGSources() throws {
        let instance = try OCTInstance.open(TestFiles.duke)
        let sources = try TestFiles.frameComments(instance.headerDataset())
        #expect(sources.count == 16)
        for (index, source) in sources.enumerated() {
            let png = try PNG.read8(Fixtures.sharedData.appendingPathComponent(source))
            #expect(try instance.frame(index) == png.map { UInt16($0) }, "frame \(index): \(source)")
        }
    }

    @Test(.enabled(if: Fixtures.hasSharedData))
    func twelveBitFramesShiftedRightEqualTheirPNGSources() throws {
        let instance = try OCTInstance.open(TestFiles.bioptigen)
        let sources = try TestFiles.frameComments(instance.headerDataset())
        #expect(sources.count == 5)
        for (index, source) in sources.enumerated() {
            let png = try PNG.read8(Fixtures.sharedData.appendingPathComponent(source))
            let frame = try instance.frame(index)
            #expect(frame.map { UInt8($0 >> 4) } == png, "frame \(index): \(source)")
            #expect(frame == png.map { UInt16($0) << 4 | UInt16($0) >> 4 }, "frame \(index): \(source)")
        }
    }

    @Test func privateAttributesAreRead() throws {
        let attributes = try OCTInstance.open(TestFiles.duke).headerDataset().attributes()
        let byPath = Dictionary(attributes.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byPath["(0009,0010)"]?.text == "OCTARC SAMPLES")
        #expect(byPath["(0009,1002)"]?.vr == "US")
        #expect(byPath["(0009,1002)"]?.value.count == 32)
        #expect(byPath["(0009,1003)"]?.value == Array(1...8))
        #expect(byPath["(7FE0,0010)"] == nil)
    }

    @Test func framesReadInParallelEqualFramesReadInOrder() throws {
        for url in TestFiles.samples {
            let instance = try OCTInstance.open(url)
            let ordered = try TestFiles.frames(instance)
            let count = instance.geometry.numberOfFrames
            let parallel = Locked([Image<UInt16>?](repeating: nil, count: count))
            DispatchQueue.concurrentPerform(iterations: count) { index in
                let frame = try? instance.frame(count - 1 - index)
                parallel.withLock { $0[index] = frame }
            }
            #expect(parallel.withLock { $0 }.reversed() == ordered.map { Optional($0) })
        }
    }

    @Test func frameIndexOutOfRangeIsAnError() throws {
        let instance = try OCTInstance.open(TestFiles.tiny)
        let error = #expect(throws: DICOMError.self) { try instance.frame(3) }
        #expect(error?.kind == .frameOutOfRange)
        #expect(error?.description.contains(TestFiles.tiny.path) == true)
    }

    @Test func singleFrameInstancesGroupIntoOneSeriesInInstanceNumberOrder() throws {
        let archive = StudyArchive.scan(TestFiles.singleFrameSeries)
        #expect(archive.skipped.isEmpty)
        let series = try #require(archive.series.first)
        #expect(archive.series.count == 1)
        #expect(series.instances.map(\.instanceNumber) == [1, 2, 3])
        #expect(series.instances.map(\.url.lastPathComponent) == ["c.dcm", "a.dcm", "b.dcm"])
        #expect(series.frameCount == 3)
    }
}
