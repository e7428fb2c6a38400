import DICOM
import Imaging
import Testing

/// The pixel conventions of FrameGeometry: intensities and back, MONOCHROME1, and the padding intensity.
@Suite struct FrameGeometryIntensityTests {
    static func geometry(bits: Int, photometric: String = "MONOCHROME2", padding: Int? = nil) -> FrameGeometry {
        FrameGeometry(
            rows: 2, columns: 3, numberOfFrames: 1, bitsAllocated: bits > 8 ? 16 : 8, bitsStored: bits,
            highBit: bits - 1, photometricInterpretation: photometric, pixelPaddingValue: padding)
    }

    @Test(arguments: ["MONOCHROME2", "MONOCHROME1"])
    func storedValuesComeBackFromTheirIntensities(photometric: String) {
        let geometry = Self.geometry(bits: 12, photometric: photometric)
        let frame = Image<UInt16>(width: 3, height: 2, pixels: [0, 1, 2047, 2048, 4094, 4095])
        let intensities = geometry.intensities(of: frame)
        #expect(geometry.storedValues(of: intensities) == frame)
        // Tissue is bright: the largest stored value is 1 in MONOCHROME2 and 0 in MONOCHROME1.
        #expect(intensities.pixels[5] == (photometric == "MONOCHROME2" ? 1 : 0))
    }

    @Test func paddingIsThePixelPaddingValueOrWhiteInEightBitFrames() {
        #expect(Self.geometry(bits: 8).paddingIntensity == 1)
        #expect(Self.geometry(bits: 12).paddingIntensity == nil)
        #expect(Self.geometry(bits: 12, padding: 0).paddingIntensity == 0)
        #expect(Self.geometry(bits: 8, photometric: "MONOCHROME1", padding: 255).paddingIntensity == 0)
        #expect(Self.geometry(bits: 8, padding: 300).paddingIntensity == nil)
    }
}
