import Codec
import Imaging
import Preprocessing

/// The retina region of a frame (ARCHITECTURE.md, "Retina region"): rows ILM − 16 to BM + 32 of the
/// original's own segmentation, padding excluded; the whole frame (less padding) when no retina was
/// found. Fidelity against the original here is what a reader of the restored DICOM sees.
struct RetinaRegion {
    static let above = 16
    static let below = 32

    /// `true` outside the region (the metrics' exclusion mask).
    let excluded: Image<Bool>
    /// The rows the region spans (for pictures).
    let rows: ClosedRange<Int>

    init(analysis: FrameAnalysis, padding: PaddingMask?, width: Int, height: Int) {
        var excluded = padding?.image ?? Image(width: width, height: height, repeating: false)
        guard analysis.retinaFound, height > 0 else {
            self.excluded = excluded
            rows = 0...max(height - 1, 0)
            return
        }
        var top = height, bottom = 0
        for x in 0..<width {
            let first = max(0, analysis.ilm[x] - Self.above), last = min(height - 1, analysis.bm[x] + Self.below)
            top = min(top, first)
            bottom = max(bottom, last)
            for y in 0..<height where y < first || y > last { excluded[x, y] = true }
        }
        self.excluded = excluded
        rows = top <= bottom ? top...bottom : 0...(height - 1)
    }
}

/// Retinal thickness (BM − ILM) found on the restored frame against the original's, per column.
struct ThicknessError {
    let meanPx: Double?
    let maxPx: Double?
    let meanMicrometres: Double?
    let maxMicrometres: Double?
    /// The columns (0-based, first and last) where the error is largest, e.g. "412-431".
    let maxColumns: String?

    init(original: LayerBoundaries, restored: LayerBoundaries, columns: [Int], rowSpacingMicrometres: Double?) {
        let errors = columns.map { x in Double(abs((restored.bm[x] - restored.ilm[x]) - (original.bm[x] - original.ilm[x]))) }
        guard let largest = errors.max() else {
            (meanPx, maxPx, meanMicrometres, maxMicrometres, maxColumns) = (nil, nil, nil, nil, nil)
            return
        }
        let mean = errors.reduce(0, +) / Double(errors.count)
        meanPx = mean
        maxPx = largest
        meanMicrometres = rowSpacingMicrometres.map { mean * $0 }
        maxMicrometres = rowSpacingMicrometres.map { largest * $0 }
        let at = zip(columns, errors).filter { $0.1 == largest }.map(\.0)
        maxColumns = at.count == 1 ? "\(at[0])" : "\(at.first!)-\(at.last!)"
    }
}

/// verify's pass/fail rule. A frame fails when its MS-SSIM against the original in the retina region
/// is below the profile's retina floor, or its mean thickness error exceeds the profile's limit, or
/// the restored frame's retina cannot be found where the original's was. A profile without retina
/// floors (made before they existed) is held to its ROI-band floor instead, and the report says so.
public struct VerifyFloors: Sendable, Codable {
    public var msssimRetina: Double?
    public var thicknessErrorMicrometres: Double?
    public var msssimROI: Double
    /// "retina" or "roi band".
    public var basis: String

    init(_ floors: ProfileDocument.Floors) {
        msssimRetina = floors.msssimRetina
        thicknessErrorMicrometres = floors.thicknessErrorMicrometres
        msssimROI = floors.msssimROI
        basis = floors.msssimRetina == nil ? "roi band" : "retina"
    }

    enum CodingKeys: String, CodingKey {
        case msssimRetina = "msssim_retina"
        case thicknessErrorMicrometres = "thickness_error_um"
        case msssimROI = "msssim_roi"
        case basis
    }

    /// Why `frame` fails, one reason each; empty when it passes.
    func failures(of frame: VerifyReport.Frame) -> [String] {
        var reasons: [String] = []
        if let floor = msssimRetina {
            if let value = frame.msssimRetina, !(value >= floor) {
                reasons.append("MS-SSIM vs original in the retina \(format(value)) < \(format(floor))")
            }
        } else if !(frame.msssimROI >= msssimROI) {
            reasons.append("MS-SSIM vs preprocessed band \(format(frame.msssimROI)) < \(format(msssimROI))")
        }
        if let limit = thicknessErrorMicrometres, let error = frame.thicknessErrorUm, error > limit {
            reasons.append("mean thickness error \(format(error, 1)) µm > \(format(limit, 1)) µm")
        }
        if frame.thicknessLost == true {
            reasons.append("no retina found on the restored frame")
        }
        return reasons
    }

    private func format(_ value: Double, _ digits: Int = 4) -> String {
        value.isFinite ? String(format: "%.\(digits)f", value) : "\(value)"
    }
}
