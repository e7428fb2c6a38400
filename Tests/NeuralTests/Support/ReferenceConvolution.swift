import Foundation
import Neural

/// A direct, loop-by-loop implementation of PyTorch's Conv2d and ConvTranspose2d (batch 1) and
/// the activations, written from their definitions, to check the engine on shapes and options the
/// codec networks do not use.
struct ReferenceConvolution {
    var transposed: Bool
    var inputChannels: Int
    var outputChannels: Int
    var kernel: (Int, Int)
    var stride: (Int, Int)
    var padding: (Int, Int)
    /// PyTorch layout: (out, in, kh, kw), or (in, out, kh, kw) when transposed.
    var weight: [Float]
    var bias: [Float]
    var activation: String
    var alpha: Float = 0.2
    var clip: (Float, Float) = (0, 1)

    var weightShape: [Int] {
        transposed
            ? [inputChannels, outputChannels, kernel.0, kernel.1]
            : [outputChannels, inputChannels, kernel.0, kernel.1]
    }

    func outputSize(_ input: TensorShape) -> (Int, Int) {
        transposed
            ? (
                (input.height - 1) * stride.0 - 2 * padding.0 + kernel.0,
                (input.width - 1) * stride.1 - 2 * padding.1 + kernel.1
            )
            : (
                (input.height + 2 * padding.0 - kernel.0) / stride.0 + 1,
                (input.width + 2 * padding.1 - kernel.1) / stride.1 + 1
            )
    }

    func weight(out o: Int, in i: Int, _ ky: Int, _ kx: Int) -> Float {
        let index =
            transposed
            ? ((i * outputChannels + o) * kernel.0 + ky) * kernel.1 + kx
            : ((o * inputChannels + i) * kernel.0 + ky) * kernel.1 + kx
        return weight[index]
    }

    func callAsFunction(_ input: Tensor) throws -> Tensor {
        let (oh, ow) = outputSize(input.shape)
        var sums = [Double](repeating: 0, count: oh * ow * outputChannels)
        for y in 0..<input.height {
            for x in 0..<input.width {
                for ky in 0..<kernel.0 {
                    for kx in 0..<kernel.1 {
                        // The output pixel input (y, x) meets through tap (ky, kx), if any.
                        let (oy, ox): (Int, Int)
                        if transposed {
                            (oy, ox) = (y * stride.0 - padding.0 + ky, x * stride.1 - padding.1 + kx)
                        } else {
                            let (ny, nx) = (y + padding.0 - ky, x + padding.1 - kx)
                            guard ny % stride.0 == 0, nx % stride.1 == 0 else { continue }
                            (oy, ox) = (ny / stride.0, nx / stride.1)
                        }
                        guard (0..<oh).contains(oy), (0..<ow).contains(ox) else { continue }
                        for o in 0..<outputChannels {
                            var sum = 0.0
                            for i in 0..<inputChannels {
                                sum += Double(weight(out: o, in: i, ky, kx)) * Double(input[i, y, x])
                            }
                            sums[(oy * ow + ox) * outputChannels + o] += sum
                        }
                    }
                }
            }
        }
        let values = sums.enumerated().map { index, sum in activate(Float(sum) + bias[index % outputChannels]) }
        return try Tensor(shape: TensorShape(channels: outputChannels, height: oh, width: ow), data: values)
    }

    func activate(_ v: Float) -> Float {
        switch activation {
        case "relu": max(0, v)
        case "leaky_relu": v >= 0 ? v : alpha * v
        case "sigmoid": 1 / (1 + exp(-v))
        case "tanh": tanh(v)
        case "clip": min(clip.1, max(clip.0, v))
        default: v
        }
    }

    /// The one-node graph description of this layer, reading `x` and writing `y`.
    var node: GraphDescription.Node {
        GraphDescription.Node(
            name: "y", op: transposed ? "conv_transpose2d" : "conv2d", inputs: ["x"], weight: "w",
            bias: "b", kernel: [kernel.0, kernel.1], stride: [stride.0, stride.1],
            padding: [padding.0, padding.1], activation: activation,
            alpha: activation == "leaky_relu" ? alpha : nil,
            clip: activation == "clip" ? [clip.0, clip.1] : nil)
    }
}

/// A small deterministic generator of test values.
struct TestRandom {
    var state: UInt64

    mutating func next() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }

    mutating func values(_ count: Int) -> [Float] { (0..<count).map { _ in next() } }
}
