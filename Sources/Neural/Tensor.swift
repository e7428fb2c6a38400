/// The size of one image-shaped tensor of a single frame: channels x height x width.
public struct TensorShape: Hashable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// channels x height x width, or nil when a dimension is negative or the product overflows.
    public var elementCount: Int? {
        guard channels >= 0, height >= 0, width >= 0 else { return nil }
        let (hw, o1) = height.multipliedReportingOverflow(by: width)
        let (all, o2) = hw.multipliedReportingOverflow(by: channels)
        return o1 || o2 ? nil : all
    }

    public var description: String { "\(channels)x\(height)x\(width)" }
}

/// A float32 image tensor of one frame, laid out channels last (height, width, channel): element
/// (c, y, x) is `data[(y * width + x) * channels + c]`. This is oneDNN's NHWC layout and the
/// order of quantized symbols in a container.
///
/// ```swift
/// let image = try Tensor(shape: TensorShape(channels: 1, height: 256, width: 768), data: pixels)
/// ```
public struct Tensor: Sendable, Equatable {
    public let shape: TensorShape
    /// The values, channels last.
    public private(set) var data: [Float]

    /// A tensor over `data`; throws unless `data` has exactly channels x height x width values.
    public init(shape: TensorShape, data: [Float]) throws {
        guard let count = shape.elementCount, count == data.count, shape.channels > 0 else {
            throw NeuralError.shapeMismatch("tensor \(shape) cannot hold \(data.count) values")
        }
        self.shape = shape
        self.data = data
    }

    /// A tensor of zeros.
    public init(zeros shape: TensorShape) throws {
        guard let count = shape.elementCount, shape.channels > 0 else {
            throw NeuralError.shapeMismatch("invalid tensor shape \(shape)")
        }
        self.shape = shape
        self.data = [Float](repeating: 0, count: count)
    }

    public var channels: Int { shape.channels }
    public var height: Int { shape.height }
    public var width: Int { shape.width }

    /// Element (channel, y, x).
    public subscript(channel: Int, y: Int, x: Int) -> Float {
        get { data[(y * shape.width + x) * shape.channels + channel] }
        set { data[(y * shape.width + x) * shape.channels + channel] = newValue }
    }
}
