import Archive
import Foundation
import Imaging

/// The verify report's folder (`verify --report DIR`): report.json, frames.csv, the worst frames'
/// pictures and a plot.
extension VerifyReport {
    /// Writes report.json, frames.csv, PNGs of the worst frames (original | restored | |difference| x 4),
    /// of the false lesions counted on them and on the frame with the most (original | restored with
    /// each marked), and quality-vs-cr.svg (MS-SSIM of every frame against its record's compression
    /// ratio) into `folder`.
    func writeFolder(to folder: URL, worst: [WorstFrame]) throws {
        try write(to: folder)
        try Data(csv().utf8).write(to: folder.appendingPathComponent("frames.csv"), options: .atomic)
        for (rank, item) in worst.enumerated() {
            let name =
                item.reason == .mostFalseLesions
                ? String(format: "most-false-lesions-frame%03d", item.frame.frame)
                : String(format: "worst-%d-frame%03d", rank + 1, item.frame.frame)
            let rows = item.retinaRows
            let original = item.original.cropped(
                x: 0, y: rows.lowerBound, width: item.original.width, height: rows.count)
            let restored = item.restored.cropped(
                x: 0, y: rows.lowerBound, width: item.restored.width, height: rows.count)
            if item.reason == .nearestFloor {
                try PNG.write(
                    Self.triptych(original, restored), to: folder.appendingPathComponent(name + "-retina.png"))
                try PNG.write(Self.zoom(original, restored), to: folder.appendingPathComponent(name + "-zoom.png"))
            }
            if !item.falseLesions.isEmpty {
                try PNG.write(
                    Self.marked(original, restored, item.falseLesions, top: rows.lowerBound),
                    to: folder.appendingPathComponent(name + "-false-lesions.png"))
            }
        }
        try Data(plotSVG().utf8).write(to: folder.appendingPathComponent("quality-vs-cr.svg"), options: .atomic)
    }

    /// Original, restored and |difference| x 4 side by side, 8-bit.
    static func triptych(_ original: Image<Float>, _ restored: Image<Float>) -> Image<UInt8> {
        let w = original.width
        let h = original.height
        var out = Image<UInt8>(width: 3 * w, height: h, repeating: 0)
        func byte(_ v: Float) -> UInt8 { UInt8(min(max(v * 255, 0), 255).rounded()) }
        for y in 0..<h {
            for x in 0..<w {
                out[x, y] = byte(original[x, y])
                out[w + x, y] = byte(restored[x, y])
                out[2 * w + x, y] = byte(4 * abs(restored[x, y] - original[x, y]))
            }
        }
        return out
    }

    /// Original and restored retina crops side by side, each pixel shown 2 x 2, with a box around each
    /// false lesion on the restored side (red: cyst, yellow: focus; the box is the lesion's ellipse
    /// plus 2 pixels). `top`: the crop's first frame row.
    static func marked(
        _ original: Image<Float>, _ restored: Image<Float>, _ lesions: [FalseLesions.Found], top: Int,
        scale: Int = 2
    ) -> Image<RGB> {
        let (w, h) = (original.width, original.height)
        var out = Image<RGB>(width: (2 * w + 2) * scale, height: h * scale, repeating: RGB(255, 255, 255))
        func gray(_ v: Float) -> RGB {
            let b = UInt8(min(max(v * 255, 0), 255).rounded())
            return RGB(b, b, b)
        }
        for y in 0..<(h * scale) {
            for x in 0..<(w * scale) {
                out[x, y] = gray(original[x / scale, y / scale])
                out[(w + 2) * scale + x, y] = gray(restored[x / scale, y / scale])
            }
        }
        for lesion in lesions {
            let colour = lesion.size.kind == .cyst ? RGB(255, 40, 40) : RGB(255, 220, 0)
            let (halfH, halfW) = (lesion.size.height / 2 + 2, lesion.size.width / 2 + 2)
            let x0 = ((w + 2) + lesion.x - halfW) * scale
            let x1 = ((w + 2) + lesion.x + halfW) * scale + scale - 1
            let y0 = (lesion.y - top - halfH) * scale
            let y1 = (lesion.y - top + halfH) * scale + scale - 1
            // Clipped to the restored half (a lesion lies in the retina, so inside the crop; this only guards).
            func span(_ lower: Int, _ upper: Int) -> Range<Int> { lower..<max(lower, upper) }
            let columns = span(max(x0, (w + 2) * scale), min(x1 + 1, out.width))
            let rows = span(max(y0, 0), min(y1 + 1, out.height))
            for x in columns { for y in [y0, y1] where rows.contains(y) { out[x, y] = colour } }
            for y in rows { for x in [x0, x1] where columns.contains(x) { out[x, y] = colour } }
        }
        return out
    }

    /// The 96 x 96 window of the retina crop with the largest mean |difference|, original and
    /// restored side by side, each pixel shown 4 x 4 (nearest neighbour): what a reader would zoom into.
    static func zoom(
        _ original: Image<Float>, _ restored: Image<Float>, window: Int = 96, scale: Int = 4
    ) -> Image<UInt8> {
        let w = min(window, original.width)
        let h = min(window, original.height)
        guard w > 0, h > 0 else { return Image(width: 1, height: 1, repeating: 0) }
        var difference = original
        for i in 0..<difference.pixels.count { difference.pixels[i] = abs(restored.pixels[i] - original.pixels[i]) }
        var best = (x: 0, y: 0, score: -Float.infinity)
        let step = max(8, window / 4)
        for y in stride(from: 0, through: original.height - h, by: step) {
            for x in stride(from: 0, through: original.width - w, by: step) {
                var sum: Float = 0
                for yy in y..<(y + h) { for xx in x..<(x + w) { sum += difference[xx, yy] } }
                if sum > best.score { best = (x, y, sum) }
            }
        }
        var out = Image<UInt8>(width: 2 * w * scale + scale, height: h * scale, repeating: 255)
        func byte(_ v: Float) -> UInt8 { UInt8(min(max(v * 255, 0), 255).rounded()) }
        for y in 0..<(h * scale) {
            for x in 0..<(w * scale) {
                out[x, y] = byte(original[best.x + x / scale, best.y + y / scale])
                out[w * scale + scale + x, y] = byte(restored[best.x + x / scale, best.y + y / scale])
            }
        }
        return out
    }

    /// A scatter plot of MS-SSIM (ROI, blue; whole frame, orange) against each frame's compression
    /// ratio (its record; the series' stored CR where records are unknown).
    func plotSVG() -> String {
        let points = frames.map { ($0.recordCR ?? summary.storedCR, $0.msssimROI, $0.msssimFrame) }
            .filter { $0.0.isFinite && $0.1.isFinite }
        let width = 640.0
        let height = 420.0
        let left = 70.0
        let right = 20.0
        let top = 40.0
        let bottom = 50.0
        let xs = points.map(\.0)
        let ys = points.flatMap { [$0.1, $0.2] }.filter(\.isFinite)
        var xMin = (xs.min() ?? 1) * 0.9
        var xMax = (xs.max() ?? 2) * 1.1
        if xMax <= xMin { xMax = xMin + 1 }
        let yMin = max(0, min(ys.min() ?? 0.9, 0.999) - 0.01)
        let yMax = 1.0
        if xMin <= 0 { xMin = 0 }
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * (width - left - right) }
        func py(_ y: Double) -> Double { height - bottom - (y - yMin) / (yMax - yMin) * (height - top - bottom) }
        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"\(left)\" y=\"24\" font-size=\"14\">octarc verify: MS-SSIM per frame, profile \(summary.profile)</text>",
            "<line x1=\"\(left)\" y1=\"\(py(yMin))\" x2=\"\(width - right)\" y2=\"\(py(yMin))\" stroke=\"black\"/>",
            "<line x1=\"\(left)\" y1=\"\(py(yMin))\" x2=\"\(left)\" y2=\"\(py(yMax))\" stroke=\"black\"/>",
        ]
        for i in 0...4 {
            let x = xMin + Double(i) / 4 * (xMax - xMin)
            let y = yMin + Double(i) / 4 * (yMax - yMin)
            svg.append(
                "<text x=\"\(px(x))\" y=\"\(py(yMin) + 16)\" text-anchor=\"middle\">\(String(format: "%.1f", x))</text>"
            )
            svg.append(
                "<text x=\"\(left - 6)\" y=\"\(py(y) + 4)\" text-anchor=\"end\">\(String(format: "%.3f", y))</text>")
        }
        svg.append(
            "<text x=\"\((left + width - right) / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">compression ratio (frame pixel bytes / record bytes)</text>"
        )
        for (x, roi, frame) in points {
            svg.append("<circle cx=\"\(px(x))\" cy=\"\(py(roi))\" r=\"3\" fill=\"#1f77b4\"/>")
            if frame.isFinite { svg.append("<circle cx=\"\(px(x))\" cy=\"\(py(frame))\" r=\"3\" fill=\"#ff7f0e\"/>") }
        }
        svg.append(
            "<text x=\"\(width - right - 200)\" y=\"\(top + 10)\" fill=\"#1f77b4\">● MS-SSIM vs preprocessed ROI</text>"
        )
        svg.append(
            "<text x=\"\(width - right - 200)\" y=\"\(top + 26)\" fill=\"#ff7f0e\">● MS-SSIM vs original frame</text>")
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// `frames.csv`: one row per frame.
    func csv() -> String {
        let header =
            "sop_instance_uid,frame,roi_band,msssim_roi,ssim_roi,psnr_roi,msssim_frame,ssim_frame,psnr_frame,"
            + "ilm_shift_px,ilm_shift_max_px,bm_shift_px,bm_shift_max_px,record_cr,entropy_coded_cr,below_floor,"
            + "msssim_retina,psnr_retina,thickness_error_um,thickness_error_max_um,thickness_error_px,thickness_error_max_px,"
            + "thickness_error_max_columns,false_cysts,false_foci,ilm_distance_px,bm_distance_px"
        let rows = frames.map { f -> String in
            func v(_ x: Double?) -> String { x.map { String(format: "%.6g", $0) } ?? "" }
            return [
                f.sopInstanceUID, String(f.frame), String(f.roiBand), v(f.msssimROI), v(f.ssimROI), v(f.psnrROI),
                v(f.msssimFrame), v(f.ssimFrame), v(f.psnrFrame), v(f.ilmShiftPx), v(f.ilmShiftMaxPx), v(f.bmShiftPx),
                v(f.bmShiftMaxPx), v(f.recordCR), v(f.entropyCodedCR), String(f.belowFloor),
                v(f.msssimRetina), v(f.psnrRetina), v(f.thicknessErrorUm), v(f.thicknessErrorMaxUm),
                v(f.thicknessErrorPx), v(f.thicknessErrorMaxPx), f.thicknessErrorMaxColumns ?? "",
                f.falseCysts.map(String.init) ?? "", f.falseFoci.map(String.init) ?? "", v(f.ilmDistancePx),
                v(f.bmDistancePx),
            ].joined(separator: ",")
        }
        return ([header] + rows).joined(separator: "\n") + "\n"
    }
}
