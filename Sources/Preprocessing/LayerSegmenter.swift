import Foundation
import Imaging

/// Finds the ILM and Bruch's membrane in every column by graph search over vertical gradients
/// (Chiu et al. 2010, as dynamic programming over columns, see `ShortestPath`), and decides
/// whether the frame shows a retina at all. Deterministic; about 15 ms for 496 x 768 on one core.
///
/// 1. Padding pixels are set to the frame's background level (10th percentile) and the frame is
///    smoothed (Gaussian σ 4 across, 2 down); the search runs on every other column (odd columns
///    are interpolated at the end). Strengths, each scaled to 0...1 by its 99.5th percentile and
///    zeroed within 4 rows of padding: the central vertical difference (dark-to-bright and
///    bright-to-dark), and the difference between the means of 6 rows above and 6 below, which
///    favours edges that open or close a thick bright band over thin lines.
/// 2. The two strongest dark-to-bright paths (the second kept 14 rows away from the first) give
///    the rough course of the ILM (per column the upper one) and of the IS/OS (the lower one);
///    running medians remove short excursions.
/// 3. ILM: the strongest band-opening path above the rough IS/OS and at most 20 rows below the
///    rough ILM, its strength scaled down where the rows just above are not as dark as the
///    vitreous. IS/OS: the strongest band-opening path from 8 rows below the ILM down.
///    BM: the strongest bright-to-dark (central and band-closing) path 3 to 45 rows below the
///    IS/OS, with smoother steps.
/// 4. Where the ILM path runs through vitreous (at the optic cup, which a left-to-right path
///    bridges), it is moved onto the tissue (`followingTheSurface`), and the IS/OS and BM are
///    searched again below the moved ILM (else the IS/OS takes the ILM's own edge and BM hangs
///    in the nerve fibres); where there is no RPE (the optic disc), BM is carried straight across
///    from the RPE's ends (`acrossTheOpening`), and kept 2 rows below an ILM that goes deeper; the
///    IS/OS is kept between the ILM and BM.
/// 5. The retina counts as found when the ILM has clear contrast (above 0.03 and 8x what the
///    noise of the smoothed frame can produce) in 60 % of the columns, the RPE is brighter than
///    what lies below it in 60 %, and the thickness is 20 rows to 3/4 of the frame in 60 %, all on
///    the path before step 4. Otherwise `retinaFound` is false and nothing is guessed.
public struct LayerSegmenter: Sendable {
    /// Smoothing before the gradient.
    static let sigmaX: Float = 4, sigmaY: Float = 2
    /// Rows around the first path that the second may not use.
    static let exclusion = 14
    /// Half-height of the corridor in which the ILM and IS/OS are searched again.
    static let corridor = 20
    /// Rows between the ILM and the IS/OS at least (the foveal pit is thinner than any real gap).
    static let minimumGap = 8
    /// BM is searched from `bmSearchStart` to `bmSearchEnd` rows below the IS/OS.
    static let bmSearchStart = 3, bmSearchEnd = 45
    /// Gradients within this many rows of padding are zeroed.
    static let paddingGuard = 4

    public init() {}

    /// The boundaries of `frame` (intensities in 0...1); `padding` marks pixels outside the scan.
    public func segment(_ frame: Image<Float>, padding: PaddingMask? = nil) -> LayerBoundaries {
        let width = frame.width
        let height = frame.height
        let notFound = LayerBoundaries(
            ilm: Array(repeating: 0, count: width), isos: Array(repeating: 0, count: width),
            bm: Array(repeating: 0, count: width), retinaFound: false)
        guard width >= 2, height >= 32, padding.map({ $0.width == width && $0.height == height }) ?? true else {
            return notFound
        }
        var samples: [Float] = []
        samples.reserveCapacity(frame.pixels.count / 7 + 1)
        for y in stride(from: 0, to: height, by: 3) {
            for x in stride(from: y % 2, to: width, by: 2) where !(padding?.contains(x: x, y: y) ?? false) {
                samples.append(frame[x, y])
            }
        }
        guard samples.count * 6 >= frame.pixels.count / 10 else { return notFound }
        let background = Quantile.of(samples, 0.1) ?? 0

        var filled = frame
        if let padding {
            filled.pixels.withUnsafeMutableBufferPointer { pixels in
                for (x, runs) in padding.columns.enumerated() {
                    for run in runs {
                        for y in run.start..<(run.start + run.length) { pixels[y * width + x] = background }
                    }
                }
            }
        }
        // After smoothing across by σ 4, every other column carries all there is: search on a
        // column-major grid of half the width, then interpolate the odd columns.
        let smooth = filled.gaussianBlurred(sigmaX: Self.sigmaX, sigmaY: Self.sigmaY, columnStride: 2)
        let columns = smooth.width
        var grid = [Float](repeating: 0, count: columns * height)
        smooth.pixels.withUnsafeBufferPointer { source in
            grid.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let row = source.baseAddress! + y * columns
                    for c in 0..<columns { target[c * height + y] = row[c] }
                }
            }
        }

        // Vertical gradient, positive where the image gets brighter downwards.
        var gradient = [Float](repeating: 0, count: columns * height)
        grid.withUnsafeBufferPointer { g in
            gradient.withUnsafeMutableBufferPointer { out in
                for base in stride(from: 0, to: columns * height, by: height) {
                    for y in 1..<(height - 1) { out[base + y] = g[base + y + 1] - g[base + y - 1] }
                }
            }
        }
        var bands = Self.bandDifference(grid, height: height, rows: 6)
        // Padding wedges are not edges: no strength within a few rows of them.
        if let padding {
            gradient.withUnsafeMutableBufferPointer { g in
                bands.withUnsafeMutableBufferPointer { b in
                    for c in 0..<columns {
                        for run in padding.columns[2 * c] {
                            let rows =
                                max(
                                    0, run.start - Self.paddingGuard)..<min(
                                    height, run.start + run.length + Self.paddingGuard)
                            for y in rows {
                                g[c * height + y] = 0
                                b[c * height + y] = 0
                            }
                        }
                    }
                }
            }
        }
        let darkToBright = Self.normalized(gradient, sign: 1)
        // BM closes the RPE, a band several rows thick: compare 6 rows above with 6 below, so
        // that the thin IS/OS line's lower edge does not compete.
        let brightToDark = zip(Self.normalized(gradient, sign: -1), Self.normalized(bands, sign: 1)).map {
            ($0 + $1) / 2
        }

        let search = ShortestPath(maxStep: 6, jumpPenalty: 0.5)
        let roughSearch = ShortestPath(maxStep: 4, jumpPenalty: 0.5)
        let all = 0...(height - 1)
        let first = roughSearch.path(strength: darkToBright, width: columns, height: height) { _ in all }
        var masked = darkToBright
        for c in 0..<columns {
            for y in max(0, first[c] - Self.exclusion)...min(height - 1, first[c] + Self.exclusion) {
                masked[c * height + y] = -2
            }
        }
        let second = roughSearch.path(strength: masked, width: columns, height: height) { _ in all }
        // The two paths may swap layers where they cross: per column the upper one is near the
        // ILM and the lower one near the IS/OS. Each is then searched again within a corridor
        // around its rough course, fenced off from the other, which mends the crossings.
        // Running medians keep a short excursion of a rough path out of the corridors.
        let upper = Self.runningMedian(zip(first, second).map { min($0, $1) }, radius: 8)
        let lower = Self.runningMedian(zip(first, second).map { max($0, $1) }, radius: 8)
        let corridor = Self.corridor
        // Edges that open a thick bright band (6-row means) beat thin lines such as a detaching
        // posterior hyaloid; the IS/OS opens the bright outer band the same way.
        let bandTop = Self.shiftedDown(Self.normalized(bands, sign: -1), height: height)
        let isosStrength = zip(darkToBright, bandTop).map { ($0 + $1) / 2 }
        let levels = Self.levels(grid: grid, height: height, upper: upper, lower: lower)
        let ilmStrength =
            levels.map {
                Self.weightedByDarknessAbove(isosStrength, grid: grid, height: height, levels: $0)
            } ?? isosStrength
        let path = search.path(strength: ilmStrength, width: columns, height: height) { c in
            0...max(0, min(upper[c] + corridor, lower[c] - Self.minimumGap))
        }
        let smoothSearch = ShortestPath(maxStep: 3, jumpPenalty: 1)
        func outerLayers(below ilm: [Int]) -> (isos: [Int], bm: [Int]) {
            let isos = search.path(strength: isosStrength, width: columns, height: height) { c in
                min(height - 1, ilm[c] + Self.minimumGap)...(height - 1)
            }
            let bm = smoothSearch.path(strength: brightToDark, width: columns, height: height) { c in
                let lower = min(isos[c] + Self.bmSearchStart, height - 1)
                return lower...min(isos[c] + Self.bmSearchEnd, height - 1)
            }
            return (isos, bm)
        }
        let (pathISOS, pathBM) = outerLayers(below: path)
        let ilm =
            levels.map { Self.followingTheSurface(path, grid: grid, height: height, levels: $0, bm: pathBM) } ?? path
        // Where the path bridged the optic cup through vitreous, the ILM's own edge lies more than
        // `minimumGap` rows below it and the IS/OS search takes it, with BM hung 45 rows below
        // that, in the nerve fibres: search both again below the ILM on the tissue.
        var (isos, bm) = ilm == path ? (pathISOS, pathBM) : outerLayers(below: ilm)
        // A cup deeper than the opening takes the ILM below the bridge: BM stays 2 rows under it
        // there, as the ILM stays 2 rows above BM where it drops into the cup.
        let bridged = zip(Self.acrossTheOpening(bm, grid: grid, height: height, padding: padding), ilm).map {
            min(max($0, $1 + 2), height - 1)
        }
        for c in isos.indices { isos[c] = min(max(isos[c], ilm[c]), bridged[c]) }
        let fullILM = Self.interpolated(ilm, width: width)
        let fullBM = Self.interpolated(bridged, width: width)

        // Whether there is a retina is judged on the path: the refinement makes edges where it
        // moves the ILM, so it would find one in noise.
        let found = Self.looksLikeRetina(frame: frame, smooth: smooth, padding: padding, ilm: path, bm: pathBM)
        return LayerBoundaries(
            ilm: fullILM, isos: Self.interpolated(isos, width: width), bm: fullBM, retinaFound: found)
    }

    /// The median level of the vitreous and of the retina in the smoothed grid.
    struct Levels {
        var dark: Float
        var bright: Float
        /// Halfway between the two: above it is tissue.
        var tissue: Float { (dark + bright) / 2 }
    }

    /// Levels sampled above the rough ILM (`upper`, less 6 rows) and between it and the rough
    /// IS/OS (`lower`); nil when the two do not differ.
    static func levels(grid: [Float], height: Int, upper: [Int], lower: [Int]) -> Levels? {
        var vitreous: [Float] = []
        var retina: [Float] = []
        for c in upper.indices {
            let base = c * height
            for y in stride(from: 0, to: max(0, upper[c] - 6), by: 2) { vitreous.append(grid[base + y]) }
            for y in stride(from: upper[c] + 3, to: min(height, max(upper[c] + 3, lower[c] - 3)), by: 2) {
                retina.append(grid[base + y])
            }
        }
        guard let dark = Quantile.of(vitreous, 0.5), let bright = Quantile.of(retina, 0.5), bright - dark > 1e-3 else {
            return nil
        }
        return Levels(dark: dark, bright: bright)
    }

    /// Rows of tissue above a row that make it tissue when the ILM rises.
    static let surfaceRows = 6
    /// How far above a path in vitreous, with no tissue below it, tissue is looked for.
    static let riseLimit = 160
    /// The fewest neighbouring search columns (2 frame columns each) in vitreous that are moved.
    static let vitreousRun = 6

    /// The ILM path moved onto the surface of the tissue where it runs through vitreous. A
    /// left-to-right path cannot follow a near-vertical wall: at the optic disc it bridges the cup
    /// through vitreous, or runs under the cup's rim at the frame's edge, and small changes to the
    /// frame make it flip between courses. Columns count as in vitreous where nothing within 3 rows
    /// of the path is brighter than a quarter of the way from the vitreous level to the retina's,
    /// in runs of at least `vitreousRun`. In those columns the ILM drops to the first row with
    /// tissue (above `Levels.tissue`) in the 3 rows from it, if that lies above BM − 2; failing
    /// that, in a run that reaches the frame's edge, it rises to the top of the first tissue
    /// (`surfaceRows` rows above `Levels.tissue`) within `riseLimit` rows above (the cup's rim at
    /// the edge, with nothing but the cup below); failing both, the column keeps the path.
    /// Elsewhere nothing moves.
    static func followingTheSurface(_ path: [Int], grid: [Float], height: Int, levels: Levels, bm: [Int]) -> [Int] {
        let tissue = levels.tissue
        let vitreous = levels.dark + (levels.bright - levels.dark) / 4
        let rows = surfaceRows
        func brightest(_ base: Int, _ from: Int, _ to: Int) -> Float {
            var top = levels.dark
            for y in max(from, 0)..<min(max(to, 0), height) { top = max(top, grid[base + y]) }
            return top
        }
        let inVitreous = path.indices.map { brightest($0 * height, path[$0] - 3, path[$0] + 4) < vitreous }
        var surface = path
        var prefix = [Float](repeating: 0, count: height + 1)
        for run in Self.runs(of: inVitreous, atLeast: Self.vitreousRun) {
            for column in run {
                let base = column * height
                for y in 0..<height { prefix[y + 1] = prefix[y] + grid[base + y] }
                func isTissueAbove(_ y: Int) -> Bool {
                    let from = max(y - rows, 0)
                    return y > from && (prefix[y] - prefix[from]) / Float(y - from) > tissue
                }
                var y = path[column]
                let limit = bm[column] - 2
                while y < limit && brightest(base, y, y + 3) < tissue { y += 1 }
                if y < limit {
                    surface[column] = y
                    continue
                }
                // Only a run at the frame's edge can be a rim seen from the cup, with nothing but
                // the cup below: inside the frame the cup's other wall is in the run.
                guard run.lowerBound == 0 || run.upperBound == path.count else { continue }
                y = path[column]
                let highest = max(path[column] - Self.riseLimit, 0)
                while y > highest && !isTissueAbove(y) { y -= 1 }
                guard y > highest else { continue }
                while y > 0 && isTissueAbove(y) { y -= 1 }
                surface[column] = y
            }
        }
        return surface
    }

    /// Rows of the RPE above BM, and of what lies below it, whose contrast tells where the RPE is.
    static let rpeRows = 5
    /// A search column's contrast is averaged over ±`rpeWindow` search columns; below
    /// `openingFraction` of the frame's typical (75th percentile) contrast there is no RPE.
    static let rpeWindow = 4
    static let openingFraction: Float = 0.25
    /// The fewest neighbouring search columns (2 frame columns each) without an RPE that are bridged.
    static let openingRun = 8
    /// The columns with an RPE nearest to an opening, on each side, whose median BM row anchors
    /// the bridge.
    static let anchorColumns = 8
    /// How far beyond an opening its anchor columns are looked for.
    static let anchorReach = 16
    /// Search columns on each side of an opening, where the RPE fades into it and the path is no
    /// surer, that are bridged with it.
    static let openingMargin = 3

    /// BM carried straight across where there is no RPE to find it by: the optic disc, where
    /// Bruch's membrane ends (at its opening) and the path otherwise follows whatever edge the disc
    /// tissue offers, so that a light change to the frame moves it by tens of rows; also a wide
    /// vessel shadow or atrophy. A search column's contrast is the mean of the `rpeRows` rows above
    /// BM less that of the rows from 2 below it, averaged over ±`rpeWindow` columns. A run of at
    /// least `openingRun` columns below `openingFraction` of the typical contrast, with
    /// `openingMargin` columns on each side, is an opening. Across it BM becomes the line between
    /// the median BM rows of the `anchorColumns` columns with an RPE nearest to it on each side
    /// (within `anchorReach`), or, at the frame's edge or next to padding, the level of the one
    /// side there is. Columns whose BM lies in padding are neither openings nor anchors, and keep
    /// their rows. Elsewhere, and in a frame with too little RPE to anchor to, nothing moves.
    static func acrossTheOpening(_ bm: [Int], grid: [Float], height: Int, padding: PaddingMask?) -> [Int] {
        let count = bm.count
        let rows = rpeRows
        let padded = bm.indices.map { c in
            (-rows...(rows + 2)).contains {
                padding?.contains(x: 2 * c, y: min(max(bm[c] + $0, 0), height - 1)) ?? false
            }
        }
        func mean(_ base: Int, _ from: Int, _ to: Int) -> Float {
            let lo = min(max(from, 0), height - 1)
            let hi = min(max(to, lo + 1), height)
            var sum: Float = 0
            for y in lo..<hi { sum += grid[base + y] }
            return sum / Float(hi - lo)
        }
        let contrast = bm.indices.map { c in
            mean(c * height, bm[c] - rows, bm[c]) - mean(c * height, bm[c] + 2, bm[c] + 2 + rows)
        }
        let scanned = bm.indices.filter { !padded[$0] }.map { contrast[$0] }
        guard let typical = Quantile.of(scanned, 0.75), typical > 1e-3 else { return bm }
        // Window means over the columns outside padding.
        var sums = [Float](repeating: 0, count: count + 1)
        var counts = [Int](repeating: 0, count: count + 1)
        for c in 0..<count {
            sums[c + 1] = sums[c] + (padded[c] ? 0 : contrast[c])
            counts[c + 1] = counts[c] + (padded[c] ? 0 : 1)
        }
        let level = (0..<count).map { c -> Float in
            let lo = max(c - rpeWindow, 0)
            let hi = min(c + rpeWindow + 1, count)
            return (sums[hi] - sums[lo]) / Float(max(counts[hi] - counts[lo], 1))
        }
        let absent = (0..<count).map { !padded[$0] && level[$0] < openingFraction * typical }
        guard (0..<count).filter({ !padded[$0] && !absent[$0] }).count >= 2 * anchorColumns else { return bm }
        // The median BM row of the first `anchorColumns` columns with an RPE among `columns`.
        func anchor(_ columns: some Sequence<Int>) -> Float? {
            let anchors = columns.prefix { !padded[$0] }.filter { !absent[$0] }.prefix(anchorColumns)
            return Quantile.of(anchors.map { Float(bm[$0]) }, 0.5)
        }
        var bridged = bm
        for run in runs(of: absent, atLeast: openingRun) {
            // Widened by the margin, up to padding.
            var from = run.lowerBound
            var to = run.upperBound
            while from > max(run.lowerBound - openingMargin, 0) && !padded[from - 1] { from -= 1 }
            while to < min(run.upperBound + openingMargin, count) && !padded[to] { to += 1 }
            let left = anchor(stride(from: from - 1, through: max(from - anchorReach, 0), by: -1))
            let right = anchor(to..<min(to + anchorReach, count))
            for column in from..<to {
                let row: Float
                switch (left, right) {
                case (let l?, let r?):
                    let t = Float(column - from + 1) / Float(to - from + 1)
                    row = l + (r - l) * t
                case (let l?, nil): row = l
                case (nil, let r?): row = r
                case (nil, nil): continue
                }
                bridged[column] = min(max(Int(row.rounded()), 0), height - 1)
            }
        }
        return bridged
    }

    /// The runs of consecutive true `flags` at least `length` long, in order.
    static func runs(of flags: [Bool], atLeast length: Int) -> [Range<Int>] {
        var found: [Range<Int>] = []
        var start = 0
        for c in 0...flags.count where c == flags.count || !flags[c] {
            if c - start >= length { found.append(start..<c) }
            start = c + 1
        }
        return found
    }

    /// Rows on every column from rows on the even columns (odd ones: the mean of their neighbours).
    static func interpolated(_ rows: [Int], width: Int) -> [Int] {
        (0..<width).map { x in
            let c = x / 2
            return x % 2 == 0 || c + 1 >= rows.count ? rows[c] : (rows[c] + rows[c + 1]) / 2
        }
    }

    /// Dark-to-bright strengths scaled down where the rows just above are not as dark as the
    /// vitreous: the ILM has nothing but vitreous above it, the edges inside the retina do not.
    static func weightedByDarknessAbove(_ strength: [Float], grid: [Float], height: Int, levels: Levels) -> [Float] {
        let dark = levels.dark
        let bright = levels.bright
        var weighted = strength
        var prefix = [Float](repeating: 0, count: height + 1)
        for base in stride(from: 0, to: grid.count, by: height) {
            for y in 0..<height { prefix[y + 1] = prefix[y] + grid[base + y] }
            for y in 0..<height {
                let from = max(0, y - 16)
                let to = y - 3
                let above = to > from ? (prefix[to] - prefix[from]) / Float(to - from) : dark
                let darkness = min(max((bright - above) / (bright - dark), 0.1), 1)
                weighted[base + y] *= darkness
            }
        }
        return weighted
    }

    /// Column-major mean of the `rows` rows ending at each pixel minus the mean of the `rows` rows
    /// below it: large where a bright band ends above a dark one. Zero at the borders.
    static func bandDifference(_ grid: [Float], height: Int, rows: Int) -> [Float] {
        var difference = [Float](repeating: 0, count: grid.count)
        var prefix = [Float](repeating: 0, count: height + 1)
        let scale = 1 / Float(rows)
        grid.withUnsafeBufferPointer { g in
            difference.withUnsafeMutableBufferPointer { out in
                prefix.withUnsafeMutableBufferPointer { p in
                    for base in stride(from: 0, to: g.count, by: height) {
                        for y in 0..<height { p[y + 1] = p[y] + g[base + y] }
                        for y in (rows - 1)..<max(rows - 1, height - rows) {
                            out[base + y] = (2 * p[y + 1] - p[y + 1 - rows] - p[y + 1 + rows]) * scale
                        }
                    }
                }
            }
        }
        return difference
    }

    /// The median of `values` over ±`radius` neighbours (fewer at the ends).
    static func runningMedian(_ values: [Int], radius: Int) -> [Int] {
        values.indices.map { i in
            let window = values[max(0, i - radius)...min(values.count - 1, i + radius)].sorted()
            return window[window.count / 2]
        }
    }

    /// Column-major values moved down one row (the band difference at row y compares rows up to
    /// y with rows below y, so its dark-to-bright edge row is y + 1).
    static func shiftedDown(_ values: [Float], height: Int) -> [Float] {
        var shifted = [Float](repeating: 0, count: values.count)
        for start in stride(from: 0, to: values.count, by: height) {
            for y in 1..<height { shifted[start + y] = values[start + y - 1] }
        }
        return shifted
    }

    /// Gradient strengths of one sign scaled to 0...1 by their 99.5th percentile.
    static func normalized(_ gradient: [Float], sign: Float) -> [Float] {
        var positive: [Float] = []
        positive.reserveCapacity(gradient.count / 10)
        for i in stride(from: 0, to: gradient.count, by: 5) where gradient[i] * sign > 0 {
            positive.append(gradient[i] * sign)
        }
        guard let percentile = Quantile.of(positive, 0.995) else { return [Float](repeating: 0, count: gradient.count) }
        let factor = sign / max(percentile, 1e-6)
        var out = [Float](repeating: 0, count: gradient.count)
        gradient.withUnsafeBufferPointer { g in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<g.count { o[i] = min(max(g[i] * factor, 0), 1) }
            }
        }
        return out
    }

    /// Whether the boundaries describe a retina rather than noise (see the type's discussion).
    /// `smooth` holds every other column of the smoothed frame; `ilm` and `bm` are on its columns.
    static func looksLikeRetina(
        frame: Image<Float>, smooth: Image<Float>, padding: PaddingMask?,
        ilm: [Int], bm: [Int]
    ) -> Bool {
        let columnCount = smooth.width
        let height = frame.height
        func isPadding(_ c: Int, _ y: Int) -> Bool { padding?.contains(x: 2 * c, y: y) ?? false }
        // Noise of the smoothed frame: the frame's high-pass residual (robust σ) times the
        // smoothing kernel's noise gain.
        var residuals: [Float] = []
        for y in stride(from: 0, to: height, by: 3) {
            for c in stride(from: y % 2, to: columnCount, by: 2) where !isPadding(c, y) {
                residuals.append(abs(frame[2 * c, y] - smooth[c, y]))
            }
        }
        guard let medianResidual = Quantile.of(residuals, 0.5) else { return false }
        let noise = 1.4826 * medianResidual
        let energyX: Float = GaussianKernel.weights(sigma: sigmaX).reduce(0) { $0 + $1 * $1 }
        let energyY: Float = GaussianKernel.weights(sigma: sigmaY).reduce(0) { $0 + $1 * $1 }
        let gain = (energyX * energyY).squareRoot()
        let threshold = max(0.03, 8 * noise * gain)

        func mean(_ c: Int, _ rows: ClosedRange<Int>) -> Float? {
            var sum: Float = 0
            var count = 0
            for y in rows where y >= 0 && y < height && !isPadding(c, y) {
                sum += smooth[c, y]
                count += 1
            }
            return count > 0 ? sum / Float(count) : nil
        }
        var columns = 0
        var ilmContrast = 0
        var rpeContrast = 0
        var plausible = 0
        for c in 0..<columnCount {
            guard let above = mean(c, (ilm[c] - 10)...(ilm[c] - 3)), let below = mean(c, (ilm[c] + 2)...(ilm[c] + 9)),
                let rpe = mean(c, (bm[c] - 5)...bm[c]), let choroid = mean(c, (bm[c] + 4)...(bm[c] + 12))
            else { continue }
            columns += 1
            if below - above > threshold { ilmContrast += 1 }
            if rpe - choroid > threshold / 2 { rpeContrast += 1 }
            let thickness = bm[c] - ilm[c]
            if thickness >= 20 && thickness <= height * 3 / 4 { plausible += 1 }
        }
        guard columns >= columnCount / 4 else { return false }
        return ilmContrast * 10 >= columns * 6 && rpeContrast * 10 >= columns * 6 && plausible * 10 >= columns * 6
    }
}
