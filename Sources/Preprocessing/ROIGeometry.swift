import Imaging

/// Where the ROI band of one frame comes from, and everything needed to put it back.
///
/// Band mode: column x of the band is column x of the frame shifted up by `top[x]`: band row r is
/// frame row `top[x] + r`. The ROI of column x is frame rows `top[x]...bottom[x]` (ILM − top margin
/// to the LBM, clipped to the frame). Band pixels outside the ROI, outside the frame or on padding
/// are filled from the nearest ROI pixel of their column, and columns past the frame's width repeat
/// the last one, so the codec sees no artificial edges. Whole-frame mode (no retina found) is the
/// same with `top` = 0 and `bottom` = the last row: the band is the frame padded to the codec's
/// size multiple.
///
/// Inside the ROI, `insertBand(extractBand(frame))` gives back the frame's pixels exactly; padding
/// pixels come back as `paddingValue`, the rest as the background levels.
public struct ROIGeometry: Sendable, Equatable {
    public enum Mode: UInt8, Sendable {
        /// A flattened band between the retina's boundaries.
        case band = 0
        /// No retina found: the whole frame is coded.
        case wholeFrame = 1
    }

    public var mode: Mode
    public var frameWidth: Int
    public var frameHeight: Int
    /// The codec's input width: `frameWidth` rounded up to the size multiple.
    public var bandWidth: Int
    /// The codec's input height.
    public var bandHeight: Int
    /// Per column: the frame row of band row 0, i.e. the first ROI row (may lie above the frame).
    public var top: [Int]
    /// Per column: the last ROI row (the LBM; may lie below the frame), `top[x] + bandHeight − 1` at most.
    public var bottom: [Int]
    /// Pixels outside the scan, or nil when there are none.
    public var padding: PaddingMask?
    /// The intensity padding pixels are restored to.
    public var paddingValue: Float
    /// The intensity restored above the ROI (vitreous), quantized to 1/65535.
    public var backgroundAbove: Float
    /// The intensity restored below the ROI (choroid and sclera), quantized to 1/65535.
    public var backgroundBelow: Float
    /// A coarse picture of the frame outside the ROI, restored there instead of the two background
    /// levels; nil for whole-frame mode and for records written before it existed (ROI record version 1).
    public var context: CoarseContext?

    public init(
        mode: Mode, frameWidth: Int, frameHeight: Int, bandWidth: Int, bandHeight: Int, top: [Int],
        bottom: [Int], padding: PaddingMask?, paddingValue: Float, backgroundAbove: Float, backgroundBelow: Float,
        context: CoarseContext? = nil
    ) {
        self.mode = mode
        self.frameWidth = frameWidth
        self.frameHeight = frameHeight
        self.bandWidth = bandWidth
        self.bandHeight = bandHeight
        self.top = top
        self.bottom = bottom
        self.padding = padding
        self.paddingValue = paddingValue
        self.backgroundAbove = Self.quantizedLevel(backgroundAbove)
        self.backgroundBelow = Self.quantizedLevel(backgroundBelow)
        self.context = context
    }

    /// The whole-frame geometry of a `width` x `height` frame for a codec with size multiple `multiple`.
    public static func wholeFrame(
        width: Int, height: Int, multiple: Int, padding: PaddingMask?, paddingValue: Float,
        background: Float
    ) -> ROIGeometry {
        ROIGeometry(
            mode: .wholeFrame, frameWidth: width, frameHeight: height,
            bandWidth: roundedUp(width, to: multiple), bandHeight: roundedUp(height, to: multiple),
            top: Array(repeating: 0, count: width), bottom: Array(repeating: height - 1, count: width),
            padding: padding, paddingValue: paddingValue, backgroundAbove: background, backgroundBelow: background)
    }

    /// The ROI rows of column `x` that lie inside the frame (empty when none do).
    public func roiRows(_ x: Int) -> Range<Int> {
        let lower = max(top[x], 0)
        let upper = min(bottom[x], frameHeight - 1)
        return lower <= upper ? lower..<(upper + 1) : lower..<lower
    }

    /// The `bandWidth` x `bandHeight` band cut from `frame` (which has the frame's geometry: the
    /// original or the despeckled frame).
    public func extractBand(from frame: Image<Float>) -> Image<Float> {
        precondition(frame.width == frameWidth && frame.height == frameHeight, "extractBand: frame size differs")
        var band = Image<Float>(width: bandWidth, height: bandHeight, repeating: backgroundAbove)
        // A column whose ROI rows hold no padding is its rows lower...upper, the rows above and below
        // them repeating its first and last (what the gap filling below gives such a column): copied
        // row after row, as the frame and the band are laid out. Other columns go one at a time.
        var lower = [Int](repeating: 0, count: frameWidth)
        var upper = [Int](repeating: -1, count: frameWidth)
        var gapped: [Int] = []
        for x in 0..<frameWidth {
            let rows = roiRows(x)
            let padded = padding?.columns[x].contains {
                $0.start < rows.upperBound && $0.start + $0.length > rows.lowerBound
            }
            if rows.isEmpty || padded == true {
                gapped.append(x)
            } else {
                (lower[x], upper[x]) = (rows.lowerBound, rows.upperBound - 1)
            }
        }
        frame.pixels.withUnsafeBufferPointer { source in
            band.pixels.withUnsafeMutableBufferPointer { target in
                for r in 0..<bandHeight {
                    let row = target.baseAddress! + r * bandWidth
                    for x in 0..<frameWidth where lower[x] <= upper[x] {
                        row[x] = source[min(max(top[x] + r, lower[x]), upper[x]) * frameWidth + x]
                    }
                }
            }
        }
        var column = [Float](repeating: 0, count: bandHeight)
        for x in gapped {
            let rows = roiRows(x)
            // Valid ROI pixels of the column, band-indexed; then fill the gaps from the nearest one.
            var valid = [Bool](repeating: false, count: bandHeight)
            for y in rows where !(padding?.contains(x: x, y: y) ?? false) {
                column[y - top[x]] = frame[x, y]
                valid[y - top[x]] = true
            }
            Self.fillGaps(&column, valid: valid, fallback: backgroundAbove)
            for r in 0..<bandHeight { band[x, r] = column[r] }
        }
        if frameWidth > 0 {
            for r in 0..<bandHeight {
                let edge = band[frameWidth - 1, r]
                for x in frameWidth..<bandWidth { band[x, r] = edge }
            }
        }
        return band
    }

    /// Band pixels that hold frame pixels (inside the ROI, inside the frame, not padding, not in the
    /// width padding): what a codec's loss and a fidelity measure should count.
    public func validMask() -> Image<Bool> {
        var mask = Image<Bool>(width: bandWidth, height: bandHeight, repeating: false)
        for x in 0..<frameWidth {
            for y in roiRows(x) where !(padding?.contains(x: x, y: y) ?? false) { mask[x, y - top[x]] = true }
        }
        return mask
    }

    /// A frame of the original geometry: ROI pixels from `band`, padding pixels `paddingValue`,
    /// everything else from `canvas`.
    public func insertBand(_ band: Image<Float>, into canvas: Image<Float>) -> Image<Float> {
        precondition(band.width == bandWidth && band.height == bandHeight, "insertBand: band size differs")
        precondition(canvas.width == frameWidth && canvas.height == frameHeight, "insertBand: canvas size differs")
        var frame = canvas
        let rows = (0..<frameWidth).map { roiRows($0) }
        let lower = rows.map(\.lowerBound)
        let upper = rows.map(\.upperBound)
        // Band row by band row (the images are row-major), each column's pixel going to the frame
        // row its band row lies at: only the band's pixels are visited, not the whole frame's.
        frame.pixels.withUnsafeMutableBufferPointer { target in
            band.pixels.withUnsafeBufferPointer { source in
                lower.withUnsafeBufferPointer { lower in
                    upper.withUnsafeBufferPointer { upper in
                        top.withUnsafeBufferPointer { top in
                            for r in 0..<bandHeight {
                                let from = source.baseAddress! + r * bandWidth
                                for x in 0..<frameWidth {
                                    let y = top[x] &+ r
                                    if y >= lower[x] && y < upper[x] { target[y &* frameWidth &+ x] = from[x] }
                                }
                            }
                        }
                    }
                }
                if let padding {
                    for (x, runs) in padding.columns.enumerated() {
                        for run in runs {
                            for y in max(run.start, 0)..<min(run.start + run.length, frameHeight) {
                                target[y * frameWidth + x] = paddingValue
                            }
                        }
                    }
                }
            }
        }
        return frame
    }

    /// A frame of the original geometry: ROI pixels from `band`, padding pixels `paddingValue`, and
    /// outside the ROI the coarse context where there is one; otherwise rows above the ROI
    /// `backgroundAbove` and rows below it `backgroundBelow`.
    public func insertBand(_ band: Image<Float>) -> Image<Float> {
        if let context {
            return insertBand(band, into: context.render(width: frameWidth, height: frameHeight))
        }
        var canvas = Image<Float>(width: frameWidth, height: frameHeight, repeating: backgroundBelow)
        for x in 0..<frameWidth {
            for y in 0..<min(max(top[x], 0), frameHeight) { canvas[x, y] = backgroundAbove }
        }
        return insertBand(band, into: canvas)
    }

    /// A frame of the original geometry: ROI pixels from `band`, padding pixels `paddingValue`,
    /// all else `background`.
    public func insertBand(_ band: Image<Float>, background: Float) -> Image<Float> {
        insertBand(band, into: Image(width: frameWidth, height: frameHeight, repeating: background))
    }

    /// Rounds `value` up to a multiple of `multiple` (at least one multiple).
    public static func roundedUp(_ value: Int, to multiple: Int) -> Int {
        max(multiple, (value + multiple - 1) / multiple * multiple)
    }

    static func quantizedLevel(_ value: Float) -> Float {
        guard !value.isNaN else { return 0 }
        return (min(max(value, 0), 1) * 65535).rounded() / 65535
    }

    /// Entries not marked valid take the value of the nearest valid entry (the earlier one on a tie).
    static func fillGaps(_ values: inout [Float], valid: [Bool], fallback: Float) {
        guard let firstValid = valid.firstIndex(of: true) else {
            for i in values.indices { values[i] = fallback }
            return
        }
        var previous = firstValid
        for i in 0..<firstValid { values[i] = values[firstValid] }
        var i = firstValid + 1
        while i < values.count {
            if valid[i] {
                previous = i
                i += 1
                continue
            }
            var end = i
            while end < values.count && !valid[end] { end += 1 }
            for j in i..<end {
                values[j] = (end == values.count || j - previous <= end - j) ? values[previous] : values[end]
            }
            i = end
        }
    }
}
