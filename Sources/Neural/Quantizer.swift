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
    /// apart than the rounding of x - c_i can hide, see `init`) and never fall after, so the first
    /// nearest center's index is the number of i with d_(i+1) < d_i: a branch-free count, one
    /// vectorized pass per center.
    public func symbols(for values: [Float]) -> [Int32] {
        let count = values.count
        var clamped = [Float](repeating: 0, count: count)
        var previous = [Float](repeating: 0, count: count)
        var symbols = [Int32](repeating: 0, count: count)
        let (low, high) = (centers[0], centers[centers.count - 1])
        values.withUnsafeBufferPointer { values in
            clamped.withUnsafeMutableBufferPointer { clamped in
                previous.withUnsafeMutableBufferPointer { previous in
                    symbols.withUnsafeMutableBufferPointer { symbols in
                        for i in 0..<count {
                            let value = values[i]
                            let x = value < low ? low : (value > high ? high : value)
                            clamped[i] = x
                            previous[i] = Self.magnitude(x - low)
                        }
                        for center in centers.dropFirst() {
                            for i in 0..<count {
                                let distance = Self.magnitude(clamped[i] - center)
                                symbols[i] &+= distance < previous[i] ? 1 : 0
                                previous[i] = distance
                            }
                        }
                    }
                }
            }
        }
        return symbols
    }

    /// |x| by clearing the sign bit (vectorizes, unlike `abs`).
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
