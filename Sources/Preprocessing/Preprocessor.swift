import Imaging

/// What preprocessing found in one frame.
public struct FrameAnalysis: Sendable {
    /// The despeckled frame (original geometry); padding pixels unchanged.
    public var despeckled: Image<Float>
    /// Layer boundaries per column (0-based rows); meaningful only when `retinaFound`.
    public var boundaries: LayerBoundaries
    /// The ROI's lower boundary per column (the paper's LBM): BM + the bottom margin, lower where
    /// RPE-bright tissue still shows below that.
    public var lbm: [Int]
    /// Band or whole-frame geometry; `ROIRecord.encode(geometry)` is what a container stores.
    public var geometry: ROIGeometry
    /// The frame's noise σ (`NoiseEstimate`), when the despeckler needed it; else 0.
    public var noiseSigma: Float = 0

    public var ilm: [Int] { boundaries.ilm }
    public var bm: [Int] { boundaries.bm }
    public var retinaFound: Bool { boundaries.retinaFound }

    /// The codec's input: the despeckled frame cut to the geometry.
    public var band: Image<Float> { geometry.extractBand(from: despeckled) }
}

/// The preprocessing stage: despeckle, find ILM and BM, and lay out the ROI band.
///
/// ```swift
/// let analysis = Preprocessor(parameters: profile.preprocessing).analyze(frame, padding: padding)
/// let band = analysis.band                        // to the encoder
/// let record = ROIRecord.encode(analysis.geometry) // to the container
/// ```
public struct Preprocessor: Sendable {
    public let parameters: PreprocessingParameters
    /// ROI boundaries are widened to the extreme of the layer boundary over ±this many columns,
    /// so the band's edges are smooth (cheap to record) and keep a wobbling boundary inside.
    static let envelopeRadius = 8

    public init(parameters: PreprocessingParameters = PreprocessingParameters()) {
        self.parameters = parameters
    }

    /// Analyzes one frame (intensities in 0...1). `padding` marks pixels outside the scan (e.g.
    /// `PaddingMask.edgeRuns(of: 1, in: frame)` for Spectralis 8-bit exports).
    /// `rowSpacingMicrometres` (from Pixel Spacing) turns the parameters' µm margins into rows.
    public func analyze(
        _ frame: Image<Float>, padding: PaddingMask? = nil, rowSpacingMicrometres: Double? = nil
    ) -> FrameAnalysis {
        let margins = parameters.margins(rowSpacingMicrometres: rowSpacingMicrometres)
        precondition(
            padding.map { $0.width == frame.width && $0.height == frame.height } ?? true,
            "analyze: padding mask size differs from the frame")
        let paddingImage = padding?.image
        // Segmentation reads the frame itself, so the noise estimate can use the retina it finds.
        let boundaries = LayerSegmenter().segment(frame, padding: padding)
        let despeckler = Despeckler(parameters.despeckle)
        let noiseSigma =
            despeckler.needsNoiseEstimate
            ? NoiseEstimate.sigma(frame, boundaries: boundaries, padding: padding) : 0
        let despeckled = despeckler.apply(frame, padding: paddingImage, noiseSigma: noiseSigma)
        let lbm =
            boundaries.retinaFound
            ? lowerBoundary(bm: boundaries.bm, despeckled: despeckled, padding: padding, margin: margins.bottom)
            : boundaries.bm.map { $0 + margins.bottom }
        let geometry = layout(frame: frame, boundaries: boundaries, lbm: lbm, padding: padding, topMargin: margins.top)
        return FrameAnalysis(
            despeckled: despeckled, boundaries: boundaries, lbm: lbm, geometry: geometry,
            noiseSigma: noiseSigma)
    }

    /// How far below BM + margin the LBM may be pushed to keep bright tissue.
    static let extensionLimit = 96

    /// BM + the bottom margin, pushed further down in columns where RPE-bright tissue still shows
    /// below it (a BM found too high, e.g. where the retina dips towards the optic disc), so the
    /// band never silently drops tissue. "RPE-bright": above the midpoint between the RPE's
    /// median level and the median level deep below the LBM, in the despeckled frame.
    func lowerBoundary(bm: [Int], despeckled: Image<Float>, padding: PaddingMask?, margin: Int) -> [Int] {
        let width = despeckled.width
        let height = despeckled.height
        let lbm = bm.map { $0 + margin }
        var rpe: [Float] = []
        var deep: [Float] = []
        for x in stride(from: 0, to: width, by: 2) {
            for y in max(0, bm[x] - 4)..<min(height, max(0, bm[x])) where !(padding?.contains(x: x, y: y) ?? false) {
                rpe.append(despeckled[x, y])
            }
            for y in stride(from: max(0, lbm[x]), to: height, by: 3) where !(padding?.contains(x: x, y: y) ?? false) {
                deep.append(despeckled[x, y])
            }
        }
        guard let rpeLevel = Quantile.of(rpe, 0.5), let deepLevel = Quantile.of(deep, 0.5), rpeLevel > deepLevel else {
            return lbm
        }
        let threshold = (rpeLevel + deepLevel) / 2
        return (0..<width).map { x in
            var bottom = lbm[x]
            let limit = min(height - 1, lbm[x] + Self.extensionLimit)
            if lbm[x] + 1 <= limit {
                for y in (lbm[x] + 1)...limit
                where despeckled[x, y] >= threshold && !(padding?.contains(x: x, y: y) ?? false) {
                    bottom = min(y + 4, lbm[x] + Self.extensionLimit)
                }
            }
            return bottom
        }
    }

    func layout(
        frame: Image<Float>, boundaries: LayerBoundaries, lbm: [Int], padding: PaddingMask?, topMargin: Int
    ) -> ROIGeometry {
        let width = frame.width
        let height = frame.height
        let multiple = max(parameters.sizeMultiple, 1)
        let paddingValue =
            padding.flatMap { mask in
                mask.columns.enumerated().lazy.compactMap { x, runs in runs.first.map { frame[x, $0.start] } }.first
            } ?? 0
        guard boundaries.retinaFound, width > 0 else {
            // A frame that is all padding (a blank B-scan) has no level of its own: use the padding's.
            let level = Self.median(frame, padding: padding) { _, _ in true }
            return .wholeFrame(
                width: width, height: height, multiple: multiple, padding: padding,
                paddingValue: paddingValue, background: level.isNaN ? paddingValue : level)
        }
        let r = Self.envelopeRadius
        var top = [Int](repeating: 0, count: width)
        var bottom = top
        for x in 0..<width {
            var highest = Int.max
            var lowest = Int.min
            for neighbour in max(0, x - r)...min(width - 1, x + r) {
                highest = min(highest, boundaries.ilm[neighbour])
                lowest = max(lowest, lbm[neighbour])
            }
            top[x] = highest - topMargin
            bottom[x] = lowest
        }
        let tallest = zip(top, bottom).map { $1 - $0 + 1 }.max()!
        let bandHeight =
            tallest <= parameters.bandHeight
            ? parameters.bandHeight : ROIGeometry.roundedUp(tallest, to: multiple)
        // The ROI ends at the (widened) LBM even where the band has rows to spare; band rows
        // below it repeat the last ROI row and are restored as background.
        let above = Self.median(frame, padding: padding) { x, y in y < top[x] }
        let below = Self.median(frame, padding: padding) { x, y in y > bottom[x] }
        return ROIGeometry(
            mode: .band, frameWidth: width, frameHeight: height,
            bandWidth: ROIGeometry.roundedUp(width, to: multiple), bandHeight: bandHeight,
            top: top, bottom: bottom, padding: padding, paddingValue: paddingValue,
            backgroundAbove: above.isNaN ? 0 : above, backgroundBelow: below.isNaN ? 0 : below,
            context: CoarseContext.measure(frame: frame, top: top, bottom: bottom, padding: padding))
    }

    /// The median of the non-padding pixels where `include(x, y)`, on a sparse grid; NaN if none.
    static func median(_ frame: Image<Float>, padding: PaddingMask?, where include: (Int, Int) -> Bool) -> Float {
        var values: [Float] = []
        for y in stride(from: 0, to: frame.height, by: 2) {
            for x in stride(from: 0, to: frame.width, by: 3)
            where include(x, y) && !(padding?.contains(x: x, y: y) ?? false) {
                values.append(frame[x, y])
            }
        }
        return Quantile.of(values, 0.5) ?? .nan
    }
}
