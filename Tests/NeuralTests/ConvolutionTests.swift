import Foundation
import Testing

@testable import Neural

/// Convolutions and transposed convolutions of many shapes and every activation, against their
/// definitions: both as the engine plans them (space-to-depth lowering where it applies) and as
/// oneDNN's own primitives.
@Suite struct ConvolutionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var transposed: Bool
        var channels: (input: Int, output: Int)
        var kernel: Int
        var stride: Int
        var padding: Int
        var size: (height: Int, width: Int)
        var activation: String
        /// Whether the planner rewrites the layer as grid convolutions (worked out by hand).
        var lowered: Bool

        var testDescription: String {
            "\(transposed ? "transposed " : "")k\(kernel) s\(stride) p\(padding) \(channels.input)->\(channels.output) "
                + "\(size.height)x\(size.width) \(activation)"
        }
    }

    static let cases: [Case] = [
        // The codec's layers: 4x4 stride-2 upsampling, 7x7 to one channel, 3x3 stride-2 downsampling.
        Case(
            transposed: true, channels: (5, 3), kernel: 4, stride: 2, padding: 1, size: (6, 10),
            activation: "relu", lowered: true),
        Case(
            transposed: false, channels: (6, 1), kernel: 7, stride: 1, padding: 3, size: (8, 12),
            activation: "clip", lowered: true),
        Case(
            transposed: false, channels: (3, 8), kernel: 3, stride: 2, padding: 1, size: (9, 14),
            activation: "leaky_relu", lowered: false),
        Case(
            transposed: false, channels: (4, 6), kernel: 4, stride: 2, padding: 1, size: (8, 10),
            activation: "none", lowered: false),
        // Twelve output channels: three weight blocks of 4 (blocks of 8 would leave four idle), for a
        // paired upsampling layer and a plain one, with a short last column chunk.
        Case(
            transposed: true, channels: (7, 12), kernel: 4, stride: 2, padding: 1, size: (5, 21),
            activation: "relu", lowered: true),
        Case(
            transposed: false, channels: (5, 12), kernel: 3, stride: 1, padding: 1, size: (6, 37),
            activation: "none", lowered: false),
        // Eight output channels over several column chunks with a short last one (the widest build's
        // chunks are 48 columns for blocks of 4 and 8 channels, 64 for one channel).
        Case(
            transposed: true, channels: (5, 8), kernel: 4, stride: 2, padding: 1, size: (3, 53),
            activation: "relu", lowered: true),
        Case(
            transposed: false, channels: (4, 8), kernel: 3, stride: 1, padding: 1, size: (3, 101),
            activation: "none", lowered: false),
        // Transposed convolutions whose phases need other windows, or that cannot be split.
        Case(
            transposed: true, channels: (4, 2), kernel: 3, stride: 2, padding: 1, size: (5, 7),
            activation: "none", lowered: false),
        Case(
            transposed: true, channels: (3, 4), kernel: 5, stride: 3, padding: 1, size: (4, 5),
            activation: "tanh", lowered: true),
        Case(
            transposed: true, channels: (2, 3), kernel: 2, stride: 2, padding: 0, size: (5, 6),
            activation: "sigmoid", lowered: true),
        Case(
            transposed: true, channels: (3, 3), kernel: 4, stride: 2, padding: 0, size: (4, 6),
            activation: "none", lowered: true),
        Case(
            transposed: true, channels: (3, 5), kernel: 3, stride: 1, padding: 1, size: (6, 7),
            activation: "leaky_relu", lowered: true),
        Case(
            transposed: true, channels: (2, 2), kernel: 1, stride: 1, padding: 0, size: (3, 4),
            activation: "none", lowered: true),
        // Few output channels: blocks of 4 or 2 pixels, or no block where the size does not divide.
        Case(
            transposed: false, channels: (6, 1), kernel: 7, stride: 1, padding: 3, size: (7, 10),
            activation: "none", lowered: false),
        Case(
            transposed: false, channels: (5, 2), kernel: 3, stride: 1, padding: 1, size: (6, 8),
            activation: "sigmoid", lowered: true),
        Case(
            transposed: false, channels: (4, 3), kernel: 5, stride: 1, padding: 0, size: (10, 8),
            activation: "tanh", lowered: true),
        Case(
            transposed: false, channels: (3, 1), kernel: 1, stride: 1, padding: 0, size: (4, 4),
            activation: "relu", lowered: false),
        Case(
            transposed: false, channels: (2, 4), kernel: 3, stride: 1, padding: 2, size: (4, 6),
            activation: "clip", lowered: true),
        // One output channel, a 3x3 grid: the shifted-window kernel at every instruction set (the
        // decoders' 5x5 and 7x7 image layers are wider than the generic build's 4 lanes), an odd
        // row count (a last row alone) and several column chunks with a short last one.
        Case(
            transposed: false, channels: (5, 1), kernel: 3, stride: 1, padding: 1, size: (9, 70),
            activation: "sigmoid", lowered: false),
    ]

    @Test(arguments: cases) func matchesDefinition(_ test: Case) throws {
        var random = TestRandom(state: UInt64(test.kernel * 131 + test.stride * 17 + test.channels.output))
        let weightCount = test.channels.input * test.channels.output * test.kernel * test.kernel
        let layer = ReferenceConvolution(
            transposed: test.transposed, inputChannels: test.channels.input, outputChannels: test.channels.output,
            kernel: (test.kernel, test.kernel), stride: (test.stride, test.stride),
            padding: (test.padding, test.padding),
            weight: random.values(weightCount), bias: random.values(test.channels.output), activation: test.activation,
            alpha: 0.1, clip: (-0.5, 0.5))
        var writer = SafeTensorsWriter()
        writer.add("w", shape: layer.weightShape, values: layer.weight)
        writer.add("b", shape: [test.channels.output], values: layer.bias)
        let weights = try SafeTensors(data: writer.data(), source: "test.safetensors")
        let graph = GraphDescription(
            inputs: [.init(name: "x", channels: test.channels.input)], outputs: ["y"],
            nodes: [layer.node])
        let shape = TensorShape(channels: test.channels.input, height: test.size.height, width: test.size.width)
        let input = try Tensor(shape: shape, data: random.values(shape.elementCount ?? 0))
        let expected = try layer(input)
        let size = layer.outputSize(shape)
        let operation = try #require(try CompiledGraph(graph, weights: weights, name: "test").layers.first?.operation)
        if case let .convolution(convolution) = operation {
            let lowered = PlanBuilder.lowered(
                convolution, input: shape,
                output: TensorShape(
                    channels: test.channels.output, height: size.0, width: size.1))
            #expect((lowered != nil) == test.lowered)
        }
        for lowering in [true, false] {
            let network = try Network(graph: graph, weights: weights, name: "test", threads: 1, lowering: lowering)
            let output = try #require(try network.run(["x": input])["y"])
            #expect(output.shape == expected.shape)
            let error = zip(output.data, expected.data).map { abs($0 - $1) }.max() ?? .infinity
            #expect(error <= 1e-5, "lowering \(lowering)")
        }
        // The exact kernels: close to the definition, and the same bits as the fused multiply-add
        // chain they promise (ExactEngineTests.referenceChain), on every instruction set, with
        // weights packed in blocks of 4 and of 8, and with the rows split over threads.
        let compiled = try CompiledGraph(graph, weights: weights, name: "test")
        let chain = try ExactEngineTests.referenceChain(compiled, input: input)
        let error = zip(chain.data, expected.data).map { abs($0 - $1) }.max() ?? .infinity
        #expect(error <= 1e-5, "exact chain against the definition")
        for isa in ExactEngineTests.levels {
            for (threads, block) in [(1, 4), (3, 4), (1, 8), (3, 8)] {
                let engine = ExactEngine(compiled, isa: isa, widestBlock: block)
                let output = try #require(try engine.run([input], threads: threads)["y"])
                #expect(output.shape == expected.shape)
                #expect(
                    output.data.map(\.bitPattern) == chain.data.map(\.bitPattern),
                    "isa \(isa.rawValue), \(threads) threads, blocks of \(block)")
            }
        }
    }

    /// Which layers the planner rewrites, and that the rewrite covers every kernel tap exactly once.
    @Test func blockedConvolutionCoversEveryTap() throws {
        let layer = Convolution(
            transposed: true, inputChannels: 1, outputChannels: 1, kernel: (4, 4), stride: (2, 2),
            padding: (1, 1), paddingEnd: (1, 1), weight: (0..<16).map(Float.init), bias: nil,
            activation: .none)
        let input = TensorShape(channels: 1, height: 8, width: 8)
        let output = TensorShape(channels: 1, height: 16, width: 16)
        let phases = try #require(BlockedConvolution.phases(layer, input: input, output: output, block: 1))
        #expect(phases.count == 4)
        var taps: [Float] = []
        for phase in phases {
            #expect(phase.gridConvolution.kernel.height == 2 && phase.gridConvolution.kernel.width == 2)
            taps += phase.gridConvolution.weight
        }
        #expect(taps.sorted() == (0..<16).map(Float.init))
        #expect(PlanBuilder.block(for: layer) == 1)
    }
}
