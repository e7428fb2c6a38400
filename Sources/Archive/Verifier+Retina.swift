import Codec
import Imaging
import Preprocessing

/// The retina region of a frame (ARCHITECTURE.md, "Retina region"): rows ILM − 16 to BM + 32 of the
/// original's own segmentation, padding excluded; the whole frame (less padding) when no retina was
/// found. Fidelity against the original here is what a reader of the restored DICOM sees.
///
/// It is measured on a strip flattened along the ILM (each column from its ILM − 16 down, as many rows
/// as the tallest column's region needs, and at least the 176 rows five MS-SSIM scales need), so that
/// MS-SSIM's coarse scales see real pixels rather than a thin masked band.
struct RetinaRegion {
    static let above = 16
    static let below = 32
    /// 11 x 2^4: the smallest height MS-SSIM's fifth scale accepts.
    static let minimumRows = 176

    /// Per column, the first row of the strip.
    let starts: [Int]
    /// Rows of the strip.
    let height: Int
    /// The frame rows the strip spans (for pictures).
    let rows: ClosedRange<Int>

    init(analysis: FrameAnalysis, width: Int, height frameHeight: Int) {
        guard analysis.retinaFound, frameHeight > 0, width > 0 else {
            starts = [Int](repeating: 0, count: width)
            height = frameHeight
            rows = 0...max(frameHeight - 1, 0)
            return
        }
        let tops = (0..<width).map { max(0, analysis.ilm[$0] - Self.above) }
        let bottoms = (0..<width).map { min(frameHeight - 1, analysis.bm[$0] + Self.below) }
        var needed = zip(tops, bottoms).map { $1 - $0 + 1 }.max() ?? frameHeight
        needed = min(max(needed, Self.minimumRows), frameHeight)
        starts = tops.map { min($0, frameHeight - needed) }
        height = needed
        rows = (starts.min() ?? 0)...((starts.max() ?? 0) + needed - 1)
    }

    /// The strip of `image`.
    func strip<Pixel>(_ image: Image<Pixel>) -> Image<Pixel> {
        var pixels: [Pixel] = []
        pixels.reserveCapacity(image.width * height)
        for y in 0..<height { for x in 0..<image.width { pixels.append(image[x, starts[x] + y]) } }
        return Image(width: image.width, height: height, pixels: pixels)
    }

    /// MS-SSIM, SSIM and PSNR of `restored` against `original` on the strip, padding excluded; nil
    /// when too little of the strip is free of padding for MS-SSIM (PSNR is then still given).
    func scores(
        _ restored: Image<Float>, _ original: Image<Float>, padding: Image<Bool>?
    ) -> (msSSIM: Double?, psnr: Double?) {
        let a = strip(restored)
        let b = strip(original)
        let mask = padding.map { strip($0) }
        if let scores = try? Metrics.compare(a, b, dataRange: 1, excluding: mask) {
            return (scores.msSSIM, scores.psnr)
        }
        return (nil, try? Metrics.psnr(a, b, dataRange: 1, excluding: mask))
    }
}

/// Retinal thickness (BM − ILM) found on the restored frame against the original's, per column.
struct ThicknessError {
    let meanPx: Double?
    let maxPx: Double?
    let meanMicrometres: Double?
    let maxMicrometres: Double?
    /// The columns (0-based, first and last) where the error is largest, e.g. "412-431", or
    /// "18-899 (7 columns)" when they are not side by side.
    let maxColumns: String?

    init(original: LayerBoundaries, restored: LayerBoundaries, columns: [Int], rowSpacingMicrometres: Double?) {
        let errors = columns.map { x in
            Double(abs((restored.bm[x] - restored.ilm[x]) - (original.bm[x] - original.ilm[x])))
        }
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
        let contiguous = at.last! - at.first! + 1 == at.count
        maxColumns =
            at.count == 1
            ? "\(at[0])"
            : contiguous ? "\(at.first!)-\(at.last!)" : "\(at.first!)-\(at.last!) (\(at.count) columns)"
    }
}

/// How far a layer boundary moved, as a curve. Each boundary (a row per column) is traced as a
/// connected curve: in column x it covers the rows from its row at x to its row at x + 1, so a wall
/// it goes down is part of it. The distance is the largest, over the points of either curve, of the
/// Euclidean distance (px) to the nearest point of the other (the Hausdorff distance). A column's
/// row difference at a near-vertical wall, such as the optic cup's, grows with the wall's height
/// when the wall moves by one column; this does not.
enum BoundaryDistance {
    /// The distance between boundaries `a` and `b` over `columns` (ascending; a gap between listed
    /// columns is not traced across); nil when `columns` is empty.
    static func largest(_ a: [Int], _ b: [Int], columns: [Int]) -> Double? {
        guard !columns.isEmpty else { return nil }
        let curveA = Curve(a, columns: columns)
        let curveB = Curve(b, columns: columns)
        return Double(max(curveA.farthest(from: curveB), curveB.farthest(from: curveA))).squareRoot()
    }

    /// A boundary's traced rows per listed column.
    struct Curve {
        var columns: [Int]
        var rows: [ClosedRange<Int>]

        init(_ boundary: [Int], columns: [Int]) {
            self.columns = columns
            rows = columns.indices.map { i in
                let x = columns[i]
                let next = i + 1 < columns.count && columns[i + 1] == x + 1 ? boundary[x + 1] : boundary[x]
                return min(boundary[x], next)...max(boundary[x], next)
            }
        }

        /// The squared distance from (x, y) to the nearest traced point.
        func squaredDistance(x: Int, y: Int, near index: Int) -> Int {
            func at(_ i: Int) -> Int {
                let dx = columns[i] - x
                let range = rows[i]
                let dy = y < range.lowerBound ? range.lowerBound - y : y > range.upperBound ? y - range.upperBound : 0
                return dx * dx + dy * dy
            }
            var best = at(index)
            // Columns further than the best distance so far cannot be nearer.
            var step = 1
            while true {
                var searched = false
                for i in [index - step, index + step] where columns.indices.contains(i) {
                    let dx = columns[i] - x
                    if dx * dx < best {
                        searched = true
                        best = min(best, at(i))
                    }
                }
                if !searched { return best }
                step += 1
            }
        }

        /// The largest squared distance from a point of `self` to `other` (same columns).
        func farthest(from other: Curve) -> Int {
            var largest = 0
            for i in columns.indices {
                for y in rows[i] {
                    largest = max(largest, other.squaredDistance(x: columns[i], y: y, near: i))
                }
            }
            return largest
        }
    }
}

extension Verifier {
    /// The cysts and foci `restored` shows inside the original's retina (ILM .. BM) that `original`
    /// does not (`FalseLesions`). Both frames are intensities (0...1, oriented); the measure sums their
    /// grey levels, as the lesion benchmark does.
    static func falseLesions(
        original: Image<Float>, restored: Image<Float>, analysis: FrameAnalysis, padding: Image<Bool>?,
        maxValue: Int
    ) -> [FalseLesions.Found] {
        let scale = Double(maxValue)
        func greyLevels(_ image: Image<Float>) -> Image<Double> { image.map { (Double($0) * scale).rounded() } }
        var region = Image<Bool>(width: original.width, height: original.height, repeating: false)
        for x in 0..<original.width {
            let top = max(analysis.ilm[x], 0)
            let bottom = min(analysis.bm[x], original.height - 1)
            if top <= bottom { for y in top...bottom { region[x, y] = true } }
        }
        let measure = FalseLesions(
            original: greyLevels(original), region: region, valid: padding?.map { !$0 }, maxValue: maxValue)
        return measure.lesions(greyLevels(restored))
    }
}

/// verify's pass/fail rule. A frame fails when its MS-SSIM against the original in the retina region
/// is below the profile's retina floor, or its mean thickness error exceeds the profile's limit, or
/// the restored frame's retina cannot be found where the original's was. A profile without retina
/// floors (made before they existed) is held to its ROI-band floor instead, and the report says so.
public struct VerifyFloors: Sendable, Codable {
    public var msssimRetina: Double?
    public var msssimRetinaNoisy: Double?
    public var noisyOriginalSigma: Double
    public var thicknessErrorMicrometres: Double?
    public var msssimROI: Double
    /// "retina" or "roi band".
    public var basis: String

    init(_ floors: ProfileDocument.Floors) {
        msssimRetina = floors.msssimRetina
        msssimRetinaNoisy = floors.msssimRetinaNoisy
        noisyOriginalSigma = ProfileDocument.Floors.noisyOriginalSigma
        thicknessErrorMicrometres = floors.thicknessErrorMicrometres
        msssimROI = floors.msssimROI
        basis = floors.msssimRetina == nil ? "roi band" : "retina"
    }

    enum CodingKeys: String, CodingKey {
        case msssimRetina = "msssim_retina"
        case msssimRetinaNoisy = "msssim_retina_noisy"
        case noisyOriginalSigma = "noisy_original_sigma"
        case thicknessErrorMicrometres = "thickness_error_um"
        case msssimROI = "msssim_roi"
        case basis
    }

    /// The retina MS-SSIM floor that applies to `frame` (by its original's noise), if the profile has one.
    func retinaFloor(for frame: VerifyReport.Frame) -> Double? {
        guard let lowNoiseFloor = msssimRetina else { return nil }
        return (frame.noiseSigma ?? 0) > noisyOriginalSigma ? (msssimRetinaNoisy ?? lowNoiseFloor) : lowNoiseFloor
    }

    /// How far `frame` stands above its floor (negative: below); what the report's worst frames are
    /// ranked by, so that noisy originals, with their lower floor, are not always "worst".
    func margin(of frame: VerifyReport.Frame) -> Double {
        if let floor = retinaFloor(for: frame), let value = frame.msssimRetina { return value - floor }
        return frame.msssimROI - msssimROI
    }

    /// Why `frame` fails, one reason each; empty when it passes.
    func failures(of frame: VerifyReport.Frame) -> [String] {
        var reasons: [String] = []
        if let floor = retinaFloor(for: frame) {
            let noisy = (frame.noiseSigma ?? 0) > noisyOriginalSigma
            if let value = frame.msssimRetina, !(value >= floor) {
                reasons.append(
                    "MS-SSIM vs original in the retina \(format(value)) < \(format(floor))"
                        + (noisy ? " (floor for noisy originals)" : ""))
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
