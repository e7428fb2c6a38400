import Codec
import Foundation
import Support

/// What `octarc profiles` prints about a profile.
struct ProfileSummary {
    let profile: Profile

    init(_ profile: Profile) {
        self.profile = profile
    }

    /// `isDefault`: the profile convert uses when none is named, said on the first line.
    func text(detailed: Bool, isDefault: Bool = false) -> String {
        let d = profile.document
        let latents = d.latents.map { "\($0.name) \($0.channels)ch at 1/\($0.stride)" }.joined(separator: ", ")
        let sha = Hex.string(profile.weightsSHA256)
        let widths = d.architecture.widths.map(String.init).joined(separator: "/")
        let decoderWidths =
            d.architecture.decoderWidths.map {
                " (decoder \($0.map(String.init).joined(separator: "/")))"
            } ?? ""
        var lines = [
            "\(d.name)\(isDefault ? " (convert's default)" : ""): target stored CR \(format(d.targetStoredCR, 0)) "
                + "— \(d.description)",
            "  network     \(d.architecture.name), widths \(widths)\(decoderWidths), "
                + "\(d.quantizer.levels)-level quantizer; latents \(latents)",
            "  codec CR    \(format(profile.codecCompressionRatio(bitsPerPixel: 8), 1)) at 8 bits (paper's eq. 1; "
                + "\(format(profile.symbolsPerPixel, 4)) symbols per band pixel)",
            d.floors.msssimRetina.map { retina in
                "  floors      vs the original in the retina: MS-SSIM >= \(format(retina, 3))"
                    + (d.floors.msssimRetinaNoisy.map { " (noisy originals >= \(format($0, 3)))" } ?? "")
                    + (d.floors.thicknessErrorMicrometres.map { ", mean thickness error <= \(format($0, 1)) µm" } ?? "")
                    + " per frame"
            } ?? "  floor       MS-SSIM (ROI) >= \(format(d.floors.msssimROI, 3)) per frame",
            "  weights     \(d.weights.file), SHA-256 \(detailed ? sha : String(sha.prefix(16)) + "…")",
        ]
        if case .object(let devices)? = d.measured, !devices.isEmpty {
            lines.append("  measured on dev (stored CR / MS-SSIM ROI / MS-SSIM frame / PSNR ROI dB):")
            for (device, values) in devices.sorted(by: { $0.key < $1.key }) {
                guard case .object = values else { continue }
                lines.append(
                    "    \(device.padding(toLength: 12, withPad: " ", startingAt: 0)) "
                        + [
                            values["stored_cr"]?.number.map { format($0, 1) } ?? "-",
                            values["msssim_roi"]?.number.map { format($0, 4) } ?? "-",
                            values["msssim_frame"]?.number.map { format($0, 4) } ?? "-",
                            values["psnr_roi"]?.number.map { format($0, 2) } ?? "-",
                        ].joined(separator: " / "))
            }
        } else {
            lines.append("  measured    not yet (run Scripts/training/evaluate.py)")
        }
        if detailed, let training = d.training {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            if let data = try? encoder.encode(training) {
                lines.append(
                    "  training    "
                        + String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\n", with: "\n  "))
            }
        }
        return lines.joined(separator: "\n")
    }

    private func format(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
