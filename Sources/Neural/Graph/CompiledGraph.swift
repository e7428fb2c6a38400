/// An activation applied to a convolution's output (fused into it as a oneDNN post-op).
enum Activation: Equatable, Sendable {
    case none
    case relu
    case leakyReLU(alpha: Float)
    case sigmoid
    case tanh
    case clip(low: Float, high: Float)
}

/// A convolution or transposed convolution with its weights, checked against the graph.
struct Convolution: Sendable {
    var transposed: Bool
    var inputChannels: Int
    var outputChannels: Int
    var kernel: (height: Int, width: Int)
    var stride: (height: Int, width: Int)
    /// Zero padding before the first row and column.
    var padding: (height: Int, width: Int)
    /// Zero padding after the last row and column (equal to `padding` for PyTorch's layers).
    var paddingEnd: (height: Int, width: Int)
    /// PyTorch layout: (out, in, kh, kw) for conv2d, (in, out, kh, kw) for conv_transpose2d.
    var weight: [Float]
    var bias: [Float]?
    var activation: Activation

    /// Output height and width for an input of `height` x `width`, or nil when it would be empty.
    func outputSize(height: Int, width: Int) -> (height: Int, width: Int)? {
        func extent(_ size: Int, _ k: Int, _ s: Int, _ p: Int, _ q: Int) -> Int? {
            if transposed {
                let out = (size - 1) * s - p - q + k
                return out >= 1 ? out : nil
            }
            let span = size + p + q - k
            return span >= 0 ? span / s + 1 : nil
        }
        guard height > 0, width > 0,
            let h = extent(height, kernel.height, stride.height, padding.height, paddingEnd.height),
            let w = extent(width, kernel.width, stride.width, padding.width, paddingEnd.width)
        else { return nil }
        return (h, w)
    }

    /// Multiply-adds x 2 for one output of `output` size (input size for transposed convolutions).
    func flops(input: TensorShape, output: TensorShape) -> Double {
        let pixels = transposed ? input.height * input.width : output.height * output.width
        return 2 * Double(pixels) * Double(inputChannels * outputChannels * kernel.height * kernel.width)
    }
}

/// One validated node.
struct Layer: Sendable {
    enum Operation: Sendable {
        case convolution(Convolution)
        case concat
        case add
    }

    var name: String
    var operation: Operation
    /// Indices of the input tensors (graph inputs first, then one per layer in order).
    var inputs: [Int]
    var channels: Int
}

/// A graph checked for consistency and bound to its weights: every name resolved to a tensor index,
/// every channel count known. Spatial sizes are checked when a `Plan` is made for an input size.
struct CompiledGraph: Sendable {
    var name: String
    var inputs: [GraphDescription.Input]
    /// The layers needed for the outputs, in execution order. Tensor i < inputs.count is graph input i,
    /// tensor inputs.count + j is the output of layer j.
    var layers: [Layer]
    var outputs: [(name: String, tensor: Int)]

    func tensorName(_ index: Int) -> String {
        index < inputs.count ? inputs[index].name : layers[index - inputs.count].name
    }
}

extension CompiledGraph {
    /// The shape of every graph tensor, checking that each layer's inputs fit.
    func shapes(inputs: [TensorShape]) throws -> [TensorShape] {
        var shapes = inputs
        for layer in layers {
            let sources = layer.inputs.map { shapes[$0] }
            func fail(_ reason: String) -> NeuralError {
                .shapeMismatch("\(name): node \(layer.name): \(reason)")
            }
            switch layer.operation {
            case let .convolution(convolution):
                guard let size = convolution.outputSize(height: sources[0].height, width: sources[0].width) else {
                    throw fail("input \(sources[0]) is too small for kernel \(convolution.kernel)")
                }
                shapes.append(TensorShape(channels: layer.channels, height: size.height, width: size.width))
            case .concat, .add:
                let first = sources[0]
                let differs = { (i: Int) in shapes[i].height != first.height || shapes[i].width != first.width }
                if let other = layer.inputs.first(where: differs) {
                    throw fail(
                        "input \(tensorName(other)) is \(shapes[other]), "
                            + "\(tensorName(layer.inputs[0])) is \(first)")
                }
                shapes.append(TensorShape(channels: layer.channels, height: first.height, width: first.width))
            }
            guard shapes.last?.elementCount != nil else {
                throw fail("output \(shapes[shapes.count - 1]) is too large")
            }
        }
        return shapes
    }
}
