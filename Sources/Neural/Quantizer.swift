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
        var best = [Float](repeating: .infinity, count: count)
        var symbols = [Int32](repeating: 0, count: count)
        values.withUnsafeBufferPointer { values in
            best.withUnsafeMutableBufferPointer { best in
                symbols.withUnsafeMutableBufferPointer { symbols in
                    // One pass per center keeps the inner loop branch-free and vectorizable. Values
                    // are first clamped to the centers' range, which changes no finite value's nearest
                    // center and gives infinities theirs.
                    let (low, high) = (centers[0], centers[centers.count - 1])
                    for (index, center) in centers.enumerated() {
                        let symbol = Int32(index)
                        for i in 0..<count {
                            let distance = abs(Swift.min(Swift.max(values[i], low), high) - center)
                            let closer = distance < best[i]
                            best[i] = closer ? distance : best[i]
                            symbols[i] = closer ? symbol : symbols[i]
                        }
                    }
                }
            }
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
