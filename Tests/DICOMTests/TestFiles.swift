import DICOM
import Foundation
import Imaging
import TestSupport

/// The DICOM files the tests read, and command-line tools they call.
enum TestFiles {
    static let duke = Fixtures.samples.appendingPathComponent("duke-subject07-8bit.dcm")
    static let bioptigen = Fixtures.samples.appendingPathComponent("bioptigen-subj13-12bit.dcm")
    static let samples = [duke, bioptigen]

    static let fixtures = Fixtures.testData.appendingPathComponent("dicom")
    static let tiny = fixtures.appendingPathComponent("tiny-opt.dcm")
    static let ct = fixtures.appendingPathComponent("ct-image.dcm")
    static let shortPixelData = fixtures.appendingPathComponent("short-pixel-data.dcm")
    static let zeroFrames = fixtures.appendingPathComponent("zero-frames.dcm")
    static let singleFrameSeries = fixtures.appendingPathComponent("single-frame-series")

    /// All frames of `instance`, in order.
    static func frames(_ instance: OCTInstance) throws -> [Image<UInt16>] {
        try (0..<instance.geometry.numberOfFrames).map { try instance.frame($0) }
    }

    /// The Frame Comments (0020,9158) of each frame: the make_samples.py source PNG of the frame.
    static func frameComments(_ header: HeaderDataset) throws -> [String] {
        try header.attributes()
            .filter { $0.path.hasPrefix("(5200,9230)[") && $0.path.hasSuffix(".(0020,9111)[0].(0020,9158)") }
            .map(\.text)
    }
}
