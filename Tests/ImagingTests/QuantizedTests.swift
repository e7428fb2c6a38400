import Imaging
import Testing

/// `quantized` rounds without a libm call per pixel (restore writes every frame through it); it must
/// give exactly the stored values of "scale, round half away from zero, clamp".
@Suite struct QuantizedTests {
    static func reference(_ value: Float, _ maxValue: Int) -> Int {
        let scale = Float(maxValue)
        return Int(min(max((value * scale).rounded(), 0), scale))
    }

    @Test(arguments: [1, 255, 4095, 65535])
    func matchesRoundingHalfAwayFromZero(maxValue: Int) {
        let scale = Float(maxValue)
        var values: [Float] = [0, -0.0, -1, 2, 1, .leastNonzeroMagnitude, 1e-30, -1e-30, .infinity, -.infinity]
        // Around every half-way point n + 0.5 (and n + 0.49999997, whose sum with 0.5 rounds up), as
        // intensities, and a sweep of bit patterns over 0...1.
        for n in stride(from: 0, through: min(maxValue, 70000), by: max(1, maxValue / 4000)) {
            for offset: Float in [0.5, 0.49999997, 0.5000001, 0.4999999, 0, 0.25] {
                let stored = Float(n) + offset
                var v = stored / scale
                for _ in 0..<3 {
                    values.append(v)
                    v = v.nextUp
                }
                values.append((stored / scale).nextDown)
            }
        }
        var bits: UInt32 = 0
        while bits <= Float(1.0).bitPattern {
            values.append(Float(bitPattern: bits))
            bits &+= 997
        }
        let image = Image<Float>(width: values.count, height: 1, pixels: values)
        let stored16 = image.quantized(maxValue: maxValue, as: UInt16.self)
        let stored32 = image.quantized(maxValue: maxValue, as: Int32.self)
        var differing = 0
        for (i, v) in values.enumerated()
        where Int(stored16.pixels[i]) != Self.reference(v, maxValue)
            || Int(stored32.pixels[i]) != Self.reference(v, maxValue)
        {
            differing += 1
            if differing < 5 {
                Issue.record(
                    "\(v) (bits \(v.bitPattern)): \(stored16.pixels[i]), expected \(Self.reference(v, maxValue))")
            }
        }
        #expect(differing == 0)
        #expect(values.count > 100_000)
    }
}

extension QuantizedTests {
    /// A NaN intensity (a broken network output) is stored in range, not a trap that ends the batch.
    @Test func nanIsStoredInRange() {
        let image = Image<Float>(width: 3, height: 1, pixels: [.nan, -.nan, 0.5])
        let stored = image.quantized(maxValue: 255, as: UInt16.self)
        #expect(stored.pixels.allSatisfy { $0 <= 255 })
        #expect(stored.pixels[2] == 128)
    }
}
