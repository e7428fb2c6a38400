import CKernels
import Foundation
import Support
import TestSupport
import Testing

@testable import Neural

/// The exact kernels promise one thing: every decoder output element is the same fixed chain of
/// correctly rounded fused multiply-adds on every CPU (CKernels.h states the chain). These tests
/// compute that chain in plain Swift (`addingProduct` is a fused multiply-add) and require the
/// kernels to give the same bits, at every instruction set this CPU runs, on the committed profiles'
/// decoders and on layers of every shape (ConvolutionTests).
@Suite struct ExactEngineTests {
    /// Every level this CPU runs (generic always; AVX2 and AVX-512 where present).
    static var levels: [octarc_isa] { Network.KernelInstructionSet.supported.map(\.level) }

    /// The graph's output for one input, computed element by element in the promised order: bias,
    /// then input channels ascending, then kernel taps row-major (for a transposed convolution, the
    /// taps that reach the output), input 0 outside the tensor.
    static func referenceChain(_ graph: CompiledGraph, input: Tensor) throws -> Tensor {
        try referenceChain(graph, inputs: [input]).values.first!
    }

    static func referenceChain(_ graph: CompiledGraph, inputs: [Tensor]) throws -> [String: Tensor] {
        var tensors = inputs
        for layer in graph.layers {
            let sources = layer.inputs.map { tensors[$0] }
            switch layer.operation {
            case let .convolution(c):
                let x = sources[0]
                guard let size = c.outputSize(height: x.height, width: x.width) else {
                    throw NeuralError.shapeMismatch("reference: input too small")
                }
                var out = try Tensor(
                    zeros: TensorShape(channels: c.outputChannels, height: size.height, width: size.width))
                let (kh, kw) = c.kernel
                func value(_ channel: Int, _ y: Int, _ xx: Int) -> Float {
                    y >= 0 && y < x.height && xx >= 0 && xx < x.width ? x[channel, y, xx] : 0
                }
                for o in 0..<c.outputChannels {
                    for y in 0..<size.height {
                        for xx in 0..<size.width {
                            var acc = c.bias?[o] ?? 0
                            for i in 0..<c.inputChannels {
                                for ky in 0..<kh {
                                    for kx in 0..<kw {
                                        if c.transposed {
                                            let dy = y + c.padding.height - ky
                                            let dx = xx + c.padding.width - kx
                                            guard dy % c.stride.height == 0, dx % c.stride.width == 0 else { continue }
                                            let w = c.weight[((i * c.outputChannels + o) * kh + ky) * kw + kx]
                                            acc.addProduct(value(i, dy / c.stride.height, dx / c.stride.width), w)
                                        } else {
                                            let w = c.weight[((o * c.inputChannels + i) * kh + ky) * kw + kx]
                                            acc.addProduct(
                                                value(
                                                    i, y * c.stride.height + ky - c.padding.height,
                                                    xx * c.stride.width + kx - c.padding.width), w)
                                        }
                                    }
                                }
                            }
                            out[o, y, xx] = activate(acc, c.activation)
                        }
                    }
                }
                tensors.append(out)
            case .concat:
                let first = sources[0]
                var out = try Tensor(
                    zeros: TensorShape(channels: layer.channels, height: first.height, width: first.width))
                var offset = 0
                for source in sources {
                    for channel in 0..<source.channels {
                        for y in 0..<first.height {
                            for xx in 0..<first.width { out[offset + channel, y, xx] = source[channel, y, xx] }
                        }
                    }
                    offset += source.channels
                }
                tensors.append(out)
            case .add:
                var out = sources[0]
                for source in sources.dropFirst() {
                    out = try Tensor(shape: out.shape, data: zip(out.data, source.data).map { $0 + $1 })
                }
                tensors.append(out)
            }
        }
        var result: [String: Tensor] = [:]
        for output in graph.outputs { result[output.name] = tensors[output.tensor] }
        return result
    }

    static func activate(_ v: Float, _ activation: Activation) -> Float {
        switch activation {
        case .none: v
        case .relu: v > 0 ? v : 0
        case let .leakyReLU(alpha): v < 0 ? v * alpha : v
        case let .clip(low, high): v < low ? low : (v > high ? high : v)
        case .sigmoid: 1 / (1 + octarc_exact_exp(-v))
        case .tanh: 1 - 2 / (octarc_exact_exp(2 * v) + 1)
        }
    }

    /// Seeded latents for a decoder: the coarsest input `rows` x `columns`, each next one twice as large.
    static func latents(decoder: Network, rows: Int, columns: Int) throws -> [Tensor] {
        var random = TestRandom(state: 5)
        return try decoder.graph.inputs.enumerated().map { index, input in
            let shape = TensorShape(channels: input.channels, height: rows << index, width: columns << index)
            return try Tensor(shape: shape, data: random.values(shape.elementCount ?? 0).map { $0 * 4 })
        }
    }

    /// Every committed profile's decoder and the tiny test codecs: the kernels at every instruction
    /// set, with weights packed in blocks of 4 and of 8, give the bits of the chain, and stay within
    /// the parity tolerance of oneDNN.
    @Test func decodersGiveTheSameBitsEverywhere() throws {
        let folders =
            ProfileFolder.all(in: Fixtures.profiles)
            + ProfileFolder.all(in: Fixtures.testData.appendingPathComponent("neural"))
        #expect(folders.count >= 3)
        for url in folders {
            let folder = try ProfileFolder(url)
            let (_, decoder) = try folder.networks()
            let oneDNN = try folder.networks(decoderBackend: .oneDNN).decoder
            // A small latent grid keeps the generic build (fmaf in software where the CPU lacks FMA) quick.
            let inputs = try Self.latents(decoder: decoder, rows: 2, columns: 3)
            let chain = try Self.referenceChain(decoder.graph, inputs: inputs)
            let named = Dictionary(uniqueKeysWithValues: zip(decoder.graph.inputs.map(\.name), inputs))
            let fast = try oneDNN.run(named)
            for isa in Self.levels {
                for block in [4, 8] {
                    let output = try ExactEngine(decoder.graph, isa: isa, widestBlock: block).run(inputs, threads: 1)
                    for (name, expected) in chain {
                        let actual = try #require(output[name])
                        #expect(
                            actual.data.map(\.bitPattern) == expected.data.map(\.bitPattern),
                            "\(folder.name) \(name) isa \(isa.rawValue) blocks of \(block)")
                        let error = zip(actual.data, fast[name]!.data).map { abs($0 - $1) }.max() ?? .infinity
                        #expect(
                            error <= ParityTests.decoderTolerance, "\(folder.name) \(name) against oneDNN: \(error)")
                    }
                }
            }
        }
    }

    /// exp as the kernels compute it: close to the true exp over the range sigmoid and tanh use,
    /// and at the edges of float's range.
    @Test func exactExpIsAccurate() {
        var worst: Double = 0
        for k in -8000...8000 {
            let x = Float(k) / 100
            let expected = Foundation.exp(Double(x))
            let relative = abs(Double(octarc_exact_exp(x)) - expected) / expected
            worst = max(worst, relative)
        }
        #expect(worst < 4e-7, "largest relative error \(worst)")
        #expect(octarc_exact_exp(100) == .infinity)
        #expect(octarc_exact_exp(-110) == 0)
        #expect(octarc_exact_exp(.nan).isNaN)
    }
}
