import Foundation
import Imaging
import TestSupport
import Testing

/// Metrics against the independent float64 reference pinned by Scripts/metrics-reference/generate.py
/// (numpy/scipy 2-D 'valid' correlation, cross-checked there against pytorch_msssim).
@Suite struct MetricsTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            struct Inputs: Decodable {
                var kind: String
                var width: Int?
                var height: Int?
                var seeds: [UInt32]?
                var excluded_rects: [[Int]]?
                var a: String?
                var b: String?
                var rows: [Int]?
                var exclude: String?
            }
            var name: String
            var inputs: Inputs
            var data_range: Float
            var psnr: Double
            var ssim: Double
            var ms_ssim: Double
        }
        var cases: [Case]
    }

    static let reference: Reference = {
        let url = Fixtures.testData.appendingPathComponent("metrics/reference.json")
        // A missing or broken reference file is a test failure, reported by `referenceLoads`.
        guard let data = try? Data(contentsOf: url),
            let decoded = try? JSONDecoder().decode(Reference.self, from: data)
        else { return Reference(cases: []) }
        return decoded
    }()

    /// The 8-bit test pattern of generate.py's `synthetic`, from the same 32-bit LCG.
    static func synthetic(width: Int, height: Int, seed: UInt32) -> Image<Float> {
        var state = seed
        var image = Image<Float>(width: width, height: height, repeating: 0)
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 1_664_525 &+ 1_013_904_223
                let base = (x * 7 + y * 3) % 200 + ((x / 32 + y / 16) % 2 == 1 ? 40 : 0)
                image[x, y] = Float(min(255, base / 2 + Int((state >> 24) % 64)))
            }
        }
        return image
    }

    static func inputs(_ testCase: Reference.Case) throws -> (Image<Float>, Image<Float>, Image<Bool>?) {
        let spec = testCase.inputs
        if spec.kind == "synthetic" {
            let width = spec.width!
            let height = spec.height!
            let a = synthetic(width: width, height: height, seed: spec.seeds![0])
            let b = synthetic(width: width, height: height, seed: spec.seeds![1])
            guard let rects = spec.excluded_rects else { return (a, b, nil) }
            var mask = Image<Bool>(width: width, height: height, repeating: false)
            for rect in rects {
                for y in rect[1]..<(rect[1] + rect[3]) { for x in rect[0]..<(rect[0] + rect[2]) { mask[x, y] = true } }
            }
            return (a, b, mask)
        }
        var a = try PNG.readGray(Fixtures.sharedData.appendingPathComponent(spec.a!)).image.normalized(maxValue: 255)
        var b = try PNG.readGray(Fixtures.sharedData.appendingPathComponent(spec.b!)).image.normalized(maxValue: 255)
        if let rows = spec.rows {
            a = a.cropped(x: 0, y: rows[0], width: a.width, height: rows[1] - rows[0])
            b = b.cropped(x: 0, y: rows[0], width: b.width, height: rows[1] - rows[0])
        }
        guard spec.exclude != nil else { return (a, b, nil) }
        let mask = Image(
            width: a.width, height: a.height,
            pixels: zip(a.pixels, b.pixels).map { $0 == 1 || $1 == 1 })
        return (a, b, mask)
    }

    static func check(_ testCase: Reference.Case) throws {
        let (a, b, mask) = try inputs(testCase)
        let scores = try Metrics.compare(a, b, dataRange: testCase.data_range, excluding: mask)
        #expect(abs(scores.psnr - testCase.psnr) < 1e-3, "\(testCase.name) PSNR \(scores.psnr) vs \(testCase.psnr)")
        #expect(abs(scores.ssim - testCase.ssim) < 1e-4, "\(testCase.name) SSIM \(scores.ssim) vs \(testCase.ssim)")
        #expect(
            abs(scores.msSSIM - testCase.ms_ssim) < 1e-4,
            "\(testCase.name) MS-SSIM \(scores.msSSIM) vs \(testCase.ms_ssim)")
        #expect(try Metrics.ssim(a, b, dataRange: testCase.data_range, excluding: mask) == scores.ssim)
        #expect(try Metrics.msSSIM(a, b, dataRange: testCase.data_range, excluding: mask) == scores.msSSIM)
    }
}

extension MetricsTests {
    @Test func referenceLoads() {
        #expect(Self.reference.cases.count == 5)
    }

    @Test func syntheticCasesMatchReference() throws {
        let cases = Self.reference.cases.filter { $0.inputs.kind == "synthetic" }
        #expect(cases.count == 2)
        for testCase in cases { try Self.check(testCase) }
    }

    @Test(.enabled(if: Fixtures.hasSharedData)) func realFramesMatchReference() throws {
        let cases = Self.reference.cases.filter { $0.inputs.kind == "png" }
        #expect(cases.count == 3)
        for testCase in cases { try Self.check(testCase) }
    }

    @Test func identicalImagesScorePerfectly() throws {
        let a = Self.synthetic(width: 200, height: 190, seed: 9)
        let scores = try Metrics.compare(a, a, dataRange: 255)
        #expect(scores.psnr == .infinity)
        #expect(abs(scores.ssim - 1) < 1e-6)
        #expect(abs(scores.msSSIM - 1) < 1e-6)
    }

    @Test func maskedPixelsDoNotCount() throws {
        let a = Self.synthetic(width: 256, height: 256, seed: 5)
        var b = a
        var mask = Image<Bool>(width: 256, height: 256, repeating: false)
        for y in 0..<40 {
            for x in 0..<256 {
                b[x, y] = 255 - a[x, y]
                mask[x, y] = true
            }
        }
        let scores = try Metrics.compare(a, b, dataRange: 255, excluding: mask)
        #expect(scores.psnr == .infinity)
        #expect(abs(scores.msSSIM - 1) < 1e-6)
        #expect(try Metrics.psnr(a, b, dataRange: 255) < 20)
    }

    @Test func badInputsThrow() {
        let a = Image<Float>(width: 300, height: 300, repeating: 0.5)
        let small = Image<Float>(width: 100, height: 300, repeating: 0.5)
        #expect(throws: Metrics.Failure.self) { try Metrics.psnr(a, small, dataRange: 1) }
        #expect(throws: Metrics.Failure.self) { try Metrics.msSSIM(small, small, dataRange: 1) }
        #expect(throws: Metrics.Failure.self) { try Metrics.psnr(a, a, dataRange: 0) }
        let everything = Image<Bool>(width: 300, height: 300, repeating: true)
        #expect(throws: Metrics.Failure.self) { try Metrics.compare(a, a, dataRange: 1, excluding: everything) }
    }

    @Test func gaussianBlurKeepsConstantsAndMean() {
        let flat = Image<Float>(width: 37, height: 23, repeating: 0.25)
        let blurred = flat.gaussianBlurred(sigmaX: 3, sigmaY: 1.5)
        #expect(blurred.pixels.allSatisfy { abs($0 - 0.25) < 1e-6 })
        let weights = GaussianKernel.weights(sigma: 2)
        #expect(weights.count == 13)
        #expect(abs(weights.reduce(0, +) - 1) < 1e-6)
    }
}
