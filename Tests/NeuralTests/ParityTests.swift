import Foundation
import Neural
import Support
import TestSupport
import Testing

/// Swift inference against PyTorch's, on reference tensors written by Scripts/training/make_parity.py:
/// the committed tiny codecs in Tests/Data/neural/, and every profile in Profiles/ that has a
/// `reference.safetensors`. Encoders run on oneDNN, decoders on the exact kernels, as the codec runs
/// them.
@Suite struct ParityTests {
    /// Decoder outputs (0...1) may differ from PyTorch's by at most this much.
    static let decoderTolerance: Float = 1e-4
    /// Encoder outputs, relative to the largest magnitude of the reference.
    static let encoderTolerance: Float = 1e-4
    /// A symbol may differ from PyTorch's only where PyTorch's value is this close to a decision boundary.
    static let boundaryMargin: Float = 1e-5

    struct Report {
        var encoderError: Float = 0
        var decoderError: Float = 0
        var symbols = 0
        var nearBoundary = 0
        var differing: [String] = []
    }

    /// Runs both networks of `folder` on its reference input and compares everything.
    static func check(_ folder: ProfileFolder) throws -> Report {
        let reference = try SafeTensors(contentsOf: folder.referenceURL)
        let (encoder, decoder) = try folder.networks()
        let quantizer = try folder.quantizer()
        var report = Report()

        let latents = try encoder.run(["image": try reference.tensor("input.image")])
        #expect(Set(latents.keys) == Set(encoder.outputs))
        var dequantized: [String: Tensor] = [:]
        for name in encoder.outputs {
            let expected = try reference.tensor("encoder.\(name)")
            let actual = try #require(latents[name])
            #expect(actual.shape == expected.shape, "\(folder.name) \(name)")
            let scale = max(1, expected.data.map(abs).max() ?? 0)
            report.encoderError = max(report.encoderError, maxDifference(actual.data, expected.data) / scale)

            let pytorchSymbols = try reference.int32s("symbols.\(name)")
            let swiftSymbols = quantizer.symbols(for: actual)
            report.symbols += swiftSymbols.count
            for i in swiftSymbols.indices where swiftSymbols[i] != pytorchSymbols[i] {
                if distanceToBoundary(expected.data[i], quantizer) <= boundaryMargin {
                    report.nearBoundary += 1
                } else {
                    report.differing.append(
                        "\(name)[\(i)]: Swift \(swiftSymbols[i]) PyTorch \(pytorchSymbols[i]) value \(expected.data[i])"
                    )
                }
            }
            dequantized[name] = try quantizer.dequantize(pytorchSymbols, shape: expected.shape)
        }

        let image = try #require(try decoder.run(dequantized)["image"])
        let expected = try reference.tensor("decoder.image")
        #expect(image.shape == expected.shape)
        report.decoderError = maxDifference(image.data, expected.data)
        return report
    }

    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// How far `value` is from the nearest midpoint between adjacent centers.
    static func distanceToBoundary(_ value: Float, _ quantizer: Quantizer) -> Float {
        zip(quantizer.centers, quantizer.centers.dropFirst()).map { abs(value - ($0 + $1) / 2) }.min() ?? .infinity
    }

    static func expectParity(_ report: Report, _ name: String) {
        print(
            "parity \(name): encoder max rel. error \(report.encoderError), decoder max error \(report.decoderError), "
                + "\(report.nearBoundary) of \(report.symbols) symbols differ within \(boundaryMargin) of a boundary")
        #expect(report.encoderError <= encoderTolerance, "\(name)")
        #expect(report.decoderError <= decoderTolerance, "\(name)")
        #expect(report.differing.isEmpty, "\(name): \(report.differing.prefix(5))")
    }
}

extension ParityTests {
    @Test(arguments: ["tiny-slim", "tiny-paper"])
    func tinyCodecMatchesPyTorch(_ name: String) throws {
        let folder = try ProfileFolder(Fixtures.testData.appendingPathComponent("neural/\(name)"))
        let report = try Self.check(folder)
        Self.expectParity(report, name)
        #expect(report.symbols > 0)
    }

    /// Every real profile: its networks load against its weights (SHA-256 included), and where it has
    /// reference tensors, they match.
    @Test func everyProfileMatchesPyTorch() throws {
        for url in ProfileFolder.all(in: Fixtures.profiles) {
            let folder = try ProfileFolder(url)
            guard folder.hasReference else {
                _ = try folder.networks()
                print("parity \(folder.name): no reference.safetensors (make_parity.py --profile \(url.path))")
                continue
            }
            Self.expectParity(try Self.check(folder), folder.name)
        }
    }

    /// The same frame run through the network from several threads at once, at two sizes, gives
    /// the same result as run alone.
    @Test func concurrentRunsAgree() throws {
        let folder = try ProfileFolder(Fixtures.testData.appendingPathComponent("neural/tiny-slim"))
        let (encoder, _) = try folder.networks()
        let reference = try SafeTensors(contentsOf: folder.referenceURL).tensor("input.image")
        var small = try Tensor(zeros: TensorShape(channels: 1, height: 32, width: 64))
        for y in 0..<32 { for x in 0..<64 { small[0, y, x] = reference[0, y + 7, x + 13] } }
        let inputs = [reference, small]
        let expected = try inputs.map { try encoder.run(["image": $0]) }
        let results = Locked([Int: [String: Tensor]]())
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let output = try? encoder.run(["image": inputs[i % 2]])
            results.withLock { $0[i] = output }
        }
        let all = results.withLock { $0 }
        for i in 0..<16 { #expect(all[i] == expected[i % 2], "run \(i)") }
    }
}
