import Codec
import Foundation
import Preprocessing
import Testing

@testable import Archive

/// verify's pass/fail rule rests on fidelity to the original in the retina and on the thickness error
/// (issue 11), with the band floor only for profiles made before retina floors existed.
@Suite struct VerifyRuleTests {
    static func frame(
        retina: Double?, band: Double = 0.999, noise: Double = 0.01, thickness: Double? = 3
    ) -> VerifyReport.Frame {
        var f = VerifyReport.Frame(
            sopInstanceUID: "1.2.3", frame: 1, msssimROI: band, ssimROI: band, psnrROI: 40,
            msssimFrame: 0.9, ssimFrame: 0.9, psnrFrame: 30, roiBand: true, belowFloor: false)
        f.msssimRetina = retina
        f.noiseSigma = noise
        f.thicknessErrorUm = thickness
        return f
    }

    static func floors(retina: Double? = 0.95, noisy: Double? = 0.6, thickness: Double? = 10) throws -> VerifyFloors {
        var json: [String: Any] = ["msssim_roi": 0.99]
        if let retina { json["msssim_retina"] = retina }
        if let noisy { json["msssim_retina_noisy"] = noisy }
        if let thickness { json["thickness_error_um"] = thickness }
        let data = try JSONSerialization.data(withJSONObject: json)
        return VerifyFloors(try JSONDecoder().decode(ProfileDocument.Floors.self, from: data))
    }

    @Test func aBlurThatKeepsTheBandButNotTheRetinaFails() throws {
        // Perfect against its own band, far from the original: the old verify passed this.
        let reasons = try Self.floors().failures(of: Self.frame(retina: 0.80, band: 0.9999))
        #expect(reasons.count == 1 && reasons[0].contains("retina"))
    }

    @Test func noisyOriginalsAreHeldToTheirOwnFloor() throws {
        let floors = try Self.floors()
        #expect(floors.failures(of: Self.frame(retina: 0.7, noise: 25.0 / 255)).isEmpty)
        #expect(!floors.failures(of: Self.frame(retina: 0.7, noise: 2.0 / 255)).isEmpty)
        #expect(!floors.failures(of: Self.frame(retina: 0.5, noise: 25.0 / 255)).isEmpty)
    }

    @Test func aThickRetinaErrorFailsEvenWithPerfectPixels() throws {
        let reasons = try Self.floors().failures(of: Self.frame(retina: 0.999, thickness: 25))
        #expect(reasons.count == 1 && reasons[0].contains("thickness"))
        var lost = Self.frame(retina: 0.999)
        lost.thicknessLost = true
        #expect(try Self.floors().failures(of: lost).contains { $0.contains("no retina") })
    }

    @Test func oldProfilesFallBackToTheBandFloorAndSaySo() throws {
        let floors = try Self.floors(retina: nil, noisy: nil, thickness: nil)
        #expect(floors.basis == "roi band")
        #expect(floors.failures(of: Self.frame(retina: 0.1, band: 0.995)).isEmpty)
        #expect(floors.failures(of: Self.frame(retina: 0.999, band: 0.98)).first?.contains("band") == true)
    }

    @Test func thicknessErrorIsInMicrometresAndNamesItsColumns() {
        let original = LayerBoundaries(
            ilm: [10, 10, 10, 10], isos: [20, 20, 20, 20], bm: [40, 40, 40, 40], retinaFound: true)
        let restored = LayerBoundaries(
            ilm: [10, 12, 10, 10], isos: [20, 20, 20, 20], bm: [40, 40, 45, 45], retinaFound: true)
        let error = ThicknessError(
            original: original, restored: restored, columns: [0, 1, 2, 3], rowSpacingMicrometres: 3.87)
        #expect(error.meanPx == 3 && error.maxPx == 5)
        #expect(abs(error.meanMicrometres! - 3 * 3.87) < 1e-9 && abs(error.maxMicrometres! - 5 * 3.87) < 1e-9)
        #expect(error.maxColumns == "2-3")
        let apart = LayerBoundaries(
            ilm: [10, 10, 10, 10], isos: [20, 20, 20, 20], bm: [45, 40, 40, 45], retinaFound: true)
        #expect(
            ThicknessError(original: original, restored: apart, columns: [0, 1, 2, 3], rowSpacingMicrometres: nil)
                .maxColumns == "0-3 (2 columns)")
        let unknown = ThicknessError(original: original, restored: restored, columns: [1], rowSpacingMicrometres: nil)
        #expect(unknown.meanPx == 2 && unknown.meanMicrometres == nil && unknown.maxColumns == "1")
    }
}
