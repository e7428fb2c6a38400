import Foundation

/// The report's summary in words: the table `octarc verify` prints and its last line, the verdict.
/// They stay with the report (not in the command line) because in-process callers explain a
/// failed verify with them.
extension VerifyReport {
    /// The summary as a terminal table.
    public func summaryText() -> String {
        let s = summary
        func f(_ value: Double?, _ digits: Int = 4) -> String {
            guard let value, value.isFinite else { return "-" }
            return String(format: "%.\(digits)f", value)
        }
        let retinaMin = frames.compactMap(\.msssimRetina).min()
        var lines = [
            "profile \(s.profile): \(s.frames) frames (\(s.framesROIBand) as ROI band, \(s.frames - s.framesROIBand) whole)",
            "compression ratio   stored \(f(s.storedCR, 1))   codec (eq. 1) \(f(s.codecCR, 1))   entropy-coded \(f(s.entropyCodedCR, 1))",
            "",
            "                          MS-SSIM mean   MS-SSIM min   SSIM mean     PSNR mean (dB)",
            "retina vs original        "
                + [f(s.msssimRetinaMean), f(retinaMin), "-", f(s.psnrRetinaMean, 2)]
                .map { $0.padding(toLength: 14, withPad: " ", startingAt: 0) }.joined(),
            "whole frame vs original   "
                + [f(s.msssimFrameMean), f(frames.map(\.msssimFrame).min()), f(s.ssimFrameMean), f(s.psnrFrameMean, 2)]
                .map { $0.padding(toLength: 14, withPad: " ", startingAt: 0) }.joined(),
            "band vs preprocessed      "
                + [f(s.msssimROIMean), f(s.msssimROIMin), f(s.ssimROIMean), f(s.psnrROIMean, 2)]
                .map { $0.padding(toLength: 14, withPad: " ", startingAt: 0) }.joined(),
            "  (the band row is only what the codec was asked to keep, after despeckling; it is not the headline)",
            "",
            "retinal thickness error   mean \(f(s.thicknessErrorUmMean, 1)) µm (\(f(s.thicknessErrorPxMean, 2)) px)   "
                + "max \(f(s.thicknessErrorUmMax, 0)) µm (\(f(s.thicknessErrorPxMax, 0)) px)",
            "layer shift (px)          ILM mean \(f(s.ilmShiftPxMean, 2)) max \(f(s.ilmShiftPxMax, 0))   BM mean \(f(s.bmShiftPxMean, 2)) max \(f(s.bmShiftPxMax, 0))",
            "layer movement (px)       ILM \(f(s.ilmDistancePxMax, 1))   BM \(f(s.bmDistancePxMax, 1))   "
                + "(largest distance between the curves; a column's shift at a steep wall is not one)",
            "false lesions (added)     cysts \(f(s.falseCystsPerFrame, 2)) / frame   foci \(f(s.falseFociPerFrame, 2)) / frame   "
                + "most in one frame \(s.falseLesionsMaxFrame.map(String.init) ?? "-")   (reported, not a floor)",
            floorLine(),
        ]
        for frame in frames where frame.belowFloor {
            lines.append(
                "  frame \(frame.frame) of \(frame.sopInstanceUID): " + frame.belowFloorReasons.joined(separator: "; ")
                    + (frame.thicknessErrorMaxColumns.map { " (largest thickness error at columns \($0))" } ?? ""))
        }
        if !problems.isEmpty {
            lines.append("")
            lines += problems.map { "problem: \($0)" }
        }
        if !missing.isEmpty {
            lines.append("")
            lines += missing.map {
                "missing: \($0.path) (\($0.sopInstanceUID), \($0.frames) frames) has no restored counterpart"
            }
        }
        lines.append("")
        lines.append(verdict)
        return lines.joined(separator: "\n")
    }

    /// The pass/fail rule and its outcome.
    private func floorLine() -> String {
        let s = summary
        func f(_ value: Double?, _ digits: Int) -> String { value.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        let rule: String
        if let floors = s.floors, let retina = floors.msssimRetina {
            rule =
                "floor: MS-SSIM vs original in the retina >= \(f(retina, 3))"
                + (floors.msssimRetinaNoisy.map { " (noisy originals >= \(f($0, 3)))" } ?? "")
                + (floors.thicknessErrorMicrometres.map { ", mean thickness error <= \(f($0, 1)) µm" } ?? "")
        } else {
            rule = "floor: MS-SSIM vs preprocessed band >= \(f(s.floorMSSSIMROI, 3)) (this profile has no retina floor)"
        }
        return rule + ": "
            + (frames.isEmpty
                ? "no frame compared"
                : s.framesBelowFloor == 0 ? "every compared frame passes" : "\(s.framesBelowFloor) frames FAIL")
    }

    /// The last line of the summary: PASSED, or FAILED with every reason counted.
    public var verdict: String {
        guard !passed else { return "verify PASSED: \(frames.count) frames compared, every original restored" }
        var reasons: [String] = []
        if frames.isEmpty { reasons.append("no frame compared") }
        if summary.framesBelowFloor > 0 { reasons.append("\(summary.framesBelowFloor) frames below the floor") }
        if !problems.isEmpty { reasons.append("\(problems.count) problem\(problems.count == 1 ? "" : "s")") }
        if !missing.isEmpty {
            reasons.append(
                "\(missing.count) original instance\(missing.count == 1 ? "" : "s") without a restored counterpart")
        }
        return "verify FAILED: " + reasons.joined(separator: ", ")
    }
}
