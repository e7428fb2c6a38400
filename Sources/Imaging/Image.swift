/// A single-channel raster, row-major, top row first.
///
/// `Image<UInt8>` and `Image<UInt16>` hold stored pixel values (8-bit, or up to 16 bits stored);
/// `Image<Float>` holds intensities for processing, normally scaled to 0...1.
///
/// ```swift
/// var image = Image<Float>(width: 4, height: 2, repeating: 0)
/// image[3, 1] = 1
/// ```
public struct Image<Pixel: Sendable>: Sendable {
    public let width: Int
    public let height: Int
    /// `width * height` pixels, row after row.
    public var pixels: [Pixel]

    /// Wraps `pixels`; their count must be `width * height`.
    public init(width: Int, height: Int, pixels: [Pixel]) {
        precondition(
            width >= 0 && height >= 0 && pixels.count == width * height,
            "Image: \(pixels.count) pixels for \(height)x\(width)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int, repeating value: Pixel) {
        self.init(width: width, height: height, pixels: Array(repeating: value, count: width * height))
    }

    /// The pixel in column `x`, row `y`.
    @inlinable
    public subscript(x: Int, y: Int) -> Pixel {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// A new image of the same size with `transform` applied to every pixel.
    @inlinable
    public func map<Other>(_ transform: (Pixel) throws -> Other) rethrows -> Image<Other> {
        Image<Other>(width: width, height: height, pixels: try pixels.map(transform))
    }

    /// The rectangle of `width` x `height` pixels whose top-left corner is (`x`, `y`).
    public func cropped(x: Int, y: Int, width: Int, height: Int) -> Image<Pixel> {
        precondition(
            x >= 0 && y >= 0 && x + width <= self.width && y + height <= self.height,
            "crop out of bounds")
        var out: [Pixel] = []
        out.reserveCapacity(width * height)
        for row in y..<(y + height) {
            let start = row * self.width + x
            out.append(contentsOf: pixels[start..<(start + width)])
        }
        return Image(width: width, height: height, pixels: out)
    }
}

extension Image: Equatable where Pixel: Equatable {}

extension Image where Pixel: BinaryInteger {
    /// Intensities divided by `maxValue` (normally 2^BitsStored − 1), so that they lie in 0...1.
    /// (Inlinable, like `quantized`, so that callers get a specialized loop, not generic conversions.)
    @inlinable
    public func normalized(maxValue: Int) -> Image<Float> {
        let scale = 1 / Float(maxValue)
        return map { Float($0) * scale }
    }
}

extension Image where Pixel == Float {
    /// Stored pixel values: intensities times `maxValue`, rounded to nearest and clamped to
    /// 0...maxValue.
    @inlinable
    public func quantized<T: FixedWidthInteger>(maxValue: Int, as type: T.Type = T.self) -> Image<T> {
        let scale = Float(maxValue)
        guard maxValue < 1 << 22 else {
            return map { T(truncatingIfNeeded: Int(Swift.min(Swift.max(($0 * scale).rounded(), 0), scale))) }
        }
        // Clamped first (the bounds are whole, so this commutes with rounding), then rounded half away
        // from zero as the floor of m = s + 0.5, which is exact for 0.5 <= s < 2^22 (below 0.5 the sum
        // can round up to 1): the same values as `rounded()`. The floor without a conversion that
        // traps (and so stops the loop from being vectorized): m + 2^23 rounds m to its nearest
        // integer, which is the low bits of that sum, less one where it lies above m. NaN gives 0.
        // A loop over the buffers, not `map`, which appends pixel by pixel.
        let magic: Float = 8_388_608  // 2^23
        let count = pixels.count
        let stored = [T](unsafeUninitializedCapacity: count) { target, initialized in
            pixels.withUnsafeBufferPointer { source in
                for k in 0..<count {
                    let clamped = Swift.min(Swift.max(source[k] * scale, 0), scale)
                    let m = clamped + 0.5
                    let sum = m + magic
                    let nearest = Int32(bitPattern: sum.bitPattern) &- Int32(bitPattern: magic.bitPattern)
                    let floor = nearest &- (sum - magic > m ? 1 : 0)
                    target[k] = T(truncatingIfNeeded: clamped >= 0.5 ? floor : 0)
                }
            }
            initialized = count
        }
        return Image<T>(width: width, height: height, pixels: stored)
    }
}

/// An 8-bit RGB pixel, for overlays and report figures.
public struct RGB: Sendable, Equatable {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// A gray pixel.
    public init(gray: UInt8) { self.init(gray, gray, gray) }
}
