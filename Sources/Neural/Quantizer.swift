/// The codec's scalar quantizer: each latent value becomes the index of the nearest of L sorted centers
/// (ties go to the lower index), and an index becomes its center again.
///
/// Distances are computed as the training code does (`argmin |z - c|` in float32, first minimum
/// wins), so a value gets the symbol PyTorch gives it.
///
/// ```swift
/// let quantizer = try Quantizer(centers: profile.quantizer.centers)
/// let symbols = quantizer.symbols(for: latents["z0"]!)           // channels last, like the tensor
/// let z0 = try quantizer.dequantize(symbols, shape: latents["z0"]!.shape)
/// ```
public struct Quantizer: Sendable, Equatable {
    /// The centers, strictly increasing.
    public let centers: [Float]

    /// Throws unless `centers` are finite and strictly increasing (at least one, at most 2^31 - 1, no
    /// two within rounding error of each other).
    public init(centers: [Float]) throws {
        guard !centers.isEmpty, centers.count < Int(Int32.max) else {
            throw NeuralError.invalidQuantizer("needs at least one center, has \(centers.count)")
        }
        guard centers.allSatisfy(\.isFinite) else { throw NeuralError.invalidQuantizer("centers must be finite") }
        // Gaps wider than the rounding error of |x - c| (x clamped to the centers) keep the distances
        // to the centers below x strictly decreasing, which `symbols(for:)` relies on.
        let gap = 2 * ((centers.last ?? 0) - (centers.first ?? 0)).ulp
        guard zip(centers, centers.dropFirst()).allSatisfy({ $1 - $0 > gap }) else {
            throw NeuralError.invalidQuantizer("centers must be strictly increasing and distinct: \(centers)")
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
    ///
    /// Values are clamped to [first, last center] (which changes no finite value's nearest center).
    /// Then the distances d_i = |x - c_i| fall strictly while c_i < x (the centers are further
    /// apart than the rounding of x - c_i can hide, see `init`) and never fall after. So with k the
    /// last center <= x, every d_(i+1) < d_i for i < k and none for i > k, and the first nearest
    /// center is k, or k + 1 where d_(k+1) < d_k. k is found from an estimate (exact for evenly
    /// spaced centers) moved to the centers around x: a few comparisons per value instead of one
    /// pass over the values per center.
    public func symbols(for values: [Float]) -> [Int32] {
        let last = centers.count - 1
        let (low, high) = (centers[0], centers[last])
        let scale = last > 0 ? Float(last) / (high - low) : 0
        return centers.withUnsafeBufferPointer { c in
            values.map { value in
                guard !value.isNaN else { return 0 }
                let x = value < low ? low : (value > high ? high : value)
                let estimate = (x - low) * scale
                var k = estimate.isFinite ? Int(min(max(estimate, 0), Float(last))) : 0
                while k < last, c[k + 1] <= x { k += 1 }
                while c[k] > x { k -= 1 }  // stops at 0: c[0] = low <= x
                // Without a branch: which way a value rounds is a coin toss to the predictor.
                let next = min(k + 1, last)
                return Int32(k + (Self.magnitude(x - c[next]) < Self.magnitude(x - c[k]) ? 1 : 0))
            }
        }
    }

    /// |x| by clearing the sign bit, the way the symbols have always been computed.
    @inline(__always)
    private static func magnitude(_ x: Float) -> Float {
        Float(bitPattern: x.bitPattern & 0x7fff_ffff)
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
