import Foundation
import Neural
import TestSupport
import Testing

/// Graphs are checked when a network is built (and sizes when it first runs), with errors that name
/// the graph and node.
@Suite struct GraphValidationTests {
    typealias Node = GraphDescription.Node

    /// x (2 channels) -> conv "a" (3 channels, 3x3) -> y; weights "w" (3, 2, 3, 3) and "b" (3).
    static func weights() throws -> SafeTensors {
        var writer = SafeTensorsWriter()
        writer.add("w", shape: [3, 2, 3, 3], values: [Float](repeating: 0.1, count: 54))
        writer.add("b", shape: [3], values: [Float(0), 1, 2])
        writer.add("t", shape: [2, 3, 4, 4], values: [Float](repeating: 0.1, count: 96))
        writer.add("s", shape: [3], values: [Int32(1), 2, 3])
        return try SafeTensors(data: writer.data(), source: "w.safetensors")
    }

    static func conv(_ name: String = "a", input: String = "x", activation: String = "relu") -> Node {
        Node(
            name: name, op: "conv2d", inputs: [input], weight: "w", bias: "b", kernel: [3, 3], stride: [1, 1],
            padding: [1, 1], activation: activation)
    }

    static func error(
        _ nodes: [Node], outputs: [String] = ["a"],
        inputs: [GraphDescription.Input] = [.init(name: "x", channels: 2)]
    ) -> String? {
        do {
            _ = try Network(
                graph: GraphDescription(inputs: inputs, outputs: outputs, nodes: nodes),
                weights: weights(), name: "g")
            return nil
        } catch {
            return "\(error)"
        }
    }
}

extension GraphValidationTests {
    @Test func acceptsAValidGraph() throws {
        #expect(Self.error([Self.conv()]) == nil)
    }

    @Test func rejectsInconsistentGraphs() {
        var leaky = Self.conv(activation: "leaky_relu")
        leaky.alpha = nil
        var clip = Self.conv(activation: "clip")
        clip.clip = [1, 0]
        var wrongKernel = Self.conv()
        wrongKernel.kernel = [5, 5]
        var noStride = Self.conv()
        noStride.stride = [0, 1]
        var missingWeight = Self.conv()
        missingWeight.weight = "nothing"
        var intWeight = Self.conv()
        intWeight.bias = "s"
        var badBias = Self.conv()
        badBias.bias = "w"
        let cases: [([Node], [String], String)] = [
            ([Node(name: "a", op: "pool", inputs: ["x"])], ["a"], "g: node a (pool): unknown op pool"),
            ([Self.conv(activation: "gelu")], ["a"], "g: node a (conv2d): unknown activation gelu"),
            ([leaky], ["a"], "leaky_relu needs a finite alpha"),
            ([clip], ["a"], "clip needs bounds"),
            ([Self.conv(input: "z")], ["a"], "g: node a (conv2d): input z is not defined"),
            ([Self.conv(input: "c"), Self.conv("c", input: "a")], ["c"], "input c is used before it is defined"),
            ([Self.conv(), Self.conv()], ["a"], "the name a is already defined"),
            ([Self.conv()], ["q"], "g: output q is not defined"),
            ([Self.conv()], ["a", "a"], "output a is listed twice"),
            ([Self.conv()], [], "the graph has no outputs"),
            ([wrongKernel], ["a"], "weight w has shape [3, 2, 3, 3], expected 4 dimensions with kernel 5x5"),
            ([noStride], ["a"], "stride must be two integers >= 1"),
            ([missingWeight], ["a"], "weight nothing is not in w.safetensors"),
            ([intWeight], ["a"], "tensor s is I32, F32 expected"),
            ([badBias], ["a"], "bias w has shape [3, 2, 3, 3], expected [3]"),
            ([Self.conv(), Self.conv("c", input: "a")], ["c"], "weight w expects 2 input channels, the input has 3"),
            (
                [
                    Node(
                        name: "a", op: "conv_transpose2d", inputs: ["x"], weight: "w", kernel: [3, 3], stride: [2, 2],
                        padding: [1, 1])
                ], ["a"], "weight w expects 3 input channels, the input has 2"
            ),
            ([Self.conv(), Node(name: "c", op: "add", inputs: ["x", "a"])], ["c"], "adds 2 channels (x) to 3 (a)"),
            ([Node(name: "c", op: "add", inputs: ["x"])], ["c"], "takes two inputs, has 1"),
            (
                [Node(name: "c", op: "concat", inputs: ["x", "x"], activation: "relu")], ["c"],
                "activation relu is supported on convolutions only"
            ),
        ]
        for (nodes, outputs, expected) in cases {
            let error = Self.error(nodes, outputs: outputs)
            #expect(error?.contains(expected) == true, "\(error ?? "accepted"), expected \(expected)")
        }
        #expect(
            Self.error([Self.conv()], inputs: [.init(name: "x", channels: 2), .init(name: "x", channels: 2)])?
                .contains("input x is declared twice") == true)
    }

    @Test func transposedConvolutionWeightsAreInputMajor() throws {
        let node = Node(
            name: "a", op: "conv_transpose2d", inputs: ["x"], weight: "t", bias: "b", kernel: [4, 4],
            stride: [2, 2], padding: [1, 1])
        let network = try Network(
            graph: GraphDescription(
                inputs: [.init(name: "x", channels: 2)], outputs: ["a"],
                nodes: [node]), weights: Self.weights(), name: "g")
        let output = try network.run(["x": Tensor(zeros: TensorShape(channels: 2, height: 3, width: 5))])
        #expect(output["a"]?.shape == TensorShape(channels: 3, height: 6, width: 10))
        #expect(output["a"]?[2, 4, 7] == 2)
    }

    @Test func checksInputsAtRunTime() throws {
        let graph = GraphDescription(
            inputs: [.init(name: "x", channels: 2), .init(name: "y", channels: 3)], outputs: ["c"],
            nodes: [Self.conv(), Node(name: "c", op: "concat", inputs: ["a", "y"])])
        let network = try Network(graph: graph, weights: Self.weights(), name: "g")
        let x = try Tensor(zeros: TensorShape(channels: 2, height: 4, width: 4))
        let y = try Tensor(zeros: TensorShape(channels: 3, height: 4, width: 4))
        #expect(try network.run(["x": x, "y": y])["c"]?.shape == TensorShape(channels: 6, height: 4, width: 4))
        let cases: [([String: Tensor], String)] = [
            (["x": x], "g: input y is missing"),
            (["x": x, "y": y, "z": y], "g: z is not an input (inputs: [\"x\", \"y\"])"),
            (["x": y, "y": y], "g: input x has 3 channels, the graph expects 2"),
            (
                ["x": x, "y": try Tensor(zeros: TensorShape(channels: 3, height: 4, width: 5))],
                "g: node c: input y is 3x4x5, a is 3x4x4"
            ),
        ]
        for (inputs, expected) in cases {
            #expect(throws: NeuralError.shapeMismatch(expected)) { try network.run(inputs) }
        }
        let tiny = GraphDescription(
            inputs: [.init(name: "x", channels: 2)], outputs: ["a"],
            nodes: [
                Node(
                    name: "a", op: "conv2d", inputs: ["x"], weight: "w", kernel: [3, 3], stride: [1, 1],
                    padding: [0, 0])
            ])
        #expect(
            throws: NeuralError.shapeMismatch("g: node a: input 2x2x4 is too small for kernel (height: 3, width: 3)")
        ) {
            try Network(graph: tiny, weights: Self.weights(), name: "g")
                .run(["x": Tensor(zeros: TensorShape(channels: 2, height: 2, width: 4))])
        }
    }

    @Test func decodesTheCommittedProfileGraphs() throws {
        let folder = try ProfileFolder(Fixtures.testData.appendingPathComponent("neural/tiny-slim"))
        let (encoder, decoder) = try folder.networks()
        #expect(encoder.inputs == [GraphDescription.Input(name: "image", channels: 1)])
        #expect(encoder.outputs == ["z0", "z1", "z2", "z3"])
        #expect(decoder.inputs.map(\.name) == ["z0", "z1", "z2", "z3"])
        #expect(decoder.outputs == ["image"])
    }
}
