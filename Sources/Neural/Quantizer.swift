/// The codec's scalar quantizer: each latent value becomes the index of the nearest of L sorted centers
/// (ties go to the lower index), and an index becomes its center again.
///
/// Distances are compared exactly as the training code does (`argmin |z - c|` in float32, first
/// minimum wins), so a value gets the symbol PyTorch gives it.
///
/// ```swift
/// let quantizer = try Quantizer(centers: profile.quantizer.centers)
/// let symbols = quantizer.symbols(for: latents["z0"]!)           // channels last, like the tensor
/// let z0 = try quantizer.dequantize(symbols, shape: latents["z0"]!.shape)
/// ```
public struct Quantizer: Sendable, Equatable {
    /// The centers, strictly increasing.
    public let centers: [Float]

    /// Throws unless `centers` are finite and strictly increasing (at least one, at most 2^31 - 1).
    public init(centers: [Float]) throws {
        guard !centers.isEmpty, centers.count < Int(Int32.max) else {
            throw NeuralError.invalidQuantizer("needs at least one center, has \(centers.count)")
        }
        guard centers.allSatisfy(\.isFinite) else { throw NeuralError.invalidQuantizer("centers must be finite") }
        guard zip(centers, centers.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw NeuralError.invalidQuantizer("centers must be strictly increasing: \(centers)")
        }
        self.centers = centers
    }

    /// The number of levels L.
    public var levels: Int { centers.count }

    /// The symbol of every value of `tensor`, in the tensor's (channels last) order. NaN maps to 0,
    /// infinities to the extreme centers.
    public func symbols(for tensor: Tensor) -> [Int32] {
        symbols(for: tensor.data)
    }

    /// The symbol of every value, in order. NaN maps to 0, infinities to the extreme centers.
    public func symbols(for values: [Float]) -> [Int32] {
        let count = values.count
        let lanes = 16
        var symbols = [Int32](repeating: 0, count: count)
        values.withUnsafeBufferPointer { values in
            symbols.withUnsafeMutableBufferPointer { symbols in
                guard let source = values.baseAddress, let destination = symbols.baseAddress else { return }
                var i = 0
                while i + lanes <= count {
                    let chunk = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD16<Float>.self)
                    UnsafeMutableRawPointer(destination + i).storeBytes(of: nearest(chunk), as: SIMD16<Int32>.self)
                    i += lanes
                }
                var tail = SIMD16<Float>(repeating: .nan)
                for j in i..<count { tail[j - i] = source[j] }
                let last = nearest(tail)
                for j in i..<count { destination[j] = last[j - i] }
            }
        }
        return symbols
    }

    /// The nearest center of 16 values at once: the first center at the smallest |value - center|,
    /// after clamping values to the centers' range (which changes no finite value's nearest center
    /// and gives infinities theirs).
    @inline(__always)
    private func nearest(_ values: SIMD16<Float>) -> SIMD16<Int32> {
        let clamped = values.clamped(lowerBound: SIMD16(repeating: centers[0]),
                                     upperBound: SIMD16(repeating: centers[centers.count - 1]))
        func distance(_ center: Float) -> SIMD16<Float> {
            let difference = clamped - SIMD16(repeating: center)
            return pointwiseMax(difference, -difference)
        }
        var best = distance(centers[0])
        var symbols = SIMD16<Int32>(repeating: 0)
        for index in 1..<centers.count {
            let candidate = distance(centers[index])
            let closer = candidate .< best
            best.replace(with: candidate, where: closer)
            symbols.replace(with: Int32(index), where: closer)
        }
        return symbols
    }

    /// The tensor of `shape` whose values are the centers of `symbols` (channels last).
    /// Throws if the count does not match the shape or a symbol is not in 0..<L.
    public func dequantize(_ symbols: [Int32], shape: TensorShape) throws -> Tensor {
        guard shape.elementCount == symbols.count else {
            throw NeuralError.shapeMismatch("\(symbols.count) symbols do not fill a \(shape) tensor")
        }
        let levels = Int32(centers.count)
        if let bad = symbols.firstIndex(where: { $0 < 0 || $0 >= levels }) {
            throw NeuralError.invalidQuantizer("symbol \(symbols[bad]) at index \(bad) is not in 0..<\(levels)")
        }
        return try Tensor(shape: shape, data: symbols.map { centers[Int($0)] })
    }
}
