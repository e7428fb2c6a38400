/// Lesions a lossy pipeline adds to a frame: blobs of a cyst's or a focus's size that the restored
/// frame shows and the original does not (ARCHITECTURE.md, "Lesions").
///
/// For each size in ``sizes``, a position counts when the restored frame's mean over an ellipse of
/// that size is at least ``contrast`` darker (cyst) or brighter (focus) than its ring (2..4 px
/// outside the ellipse), relative to the ring mean; that contrast exceeds the original's at the same
/// place by ``contrast`` too; and the ellipse's own mean moved that way by ``contrast`` of the ring
/// (so the bright rim around a false cyst is not also a false focus). The ellipse must lie in the
/// region (the retina), the whole template in image pixels (not padding), and the ring mean must reach
/// a floor (16 grey levels of 8-bit data), below which a relative contrast is noise. Connected
/// positions (8-connected) are one lesion. A blur, which softens what the original has, adds none.
///
/// `Scripts/lesions/insert.py` (`FalseLesions`) counts the same for the lesion benchmark; both sum
/// integer grey levels exactly with row prefix sums, and `FalseLesionsTests` pins their parity.
public struct FalseLesions: Sendable {
    public enum Kind: String, Sendable, Codable { case cyst, focus }

    /// One lesion size: `height` x `width` pixels.
    public struct Size: Sendable, Hashable, CustomStringConvertible {
        public let kind: Kind
        public let height: Int
        public let width: Int
        /// "cyst 3x5", as the lesion benchmark names its classes.
        public var description: String { "\(kind.rawValue) \(height)x\(width)" }
    }

    /// The lesion benchmark's cyst and focus sizes (`Scripts/lesions/insert.py`, CYSTS and FOCI).
    public static let sizes: [Size] =
        [(3, 5), (5, 9), (8, 14), (12, 24)].map { Size(kind: .cyst, height: $0.0, width: $0.1) }
        + [(2, 3), (3, 4), (4, 6)].map { Size(kind: .focus, height: $0.0, width: $0.1) }
    /// Half an inserted cyst's contrast (the speckle × 0.3).
    public static let contrast = 0.35
    /// The ring-mean floor for 8-bit data, in grey levels; scaled to other depths.
    public static let floor8Bit = 16.0

    /// A row of a template: pixels `first...last` of row `dy`, as offsets from the template's centre.
    struct Run: Equatable {
        let dy: Int
        let first: Int
        let last: Int
    }

    /// The ellipse's core and the masks its ring is made of, as row runs.
    struct Template {
        let core: [Run]
        let inner: [Run]
        let outer: [Run]
        let coreCount: Int
        let ringCount: Int

        /// The core of an h x w ellipse is the pixels of an (h + 4) x (w + 4) grid strictly inside the
        /// ellipse of semi-axes h/2, w/2 centred on the grid; the grid is padded to odd sides (3 before,
        /// 3 or 4 after) and its middle pixel is the centre. `inner` and `outer` are the core dilated
        /// once and four times (4-connected): the ring is outer less inner.
        init(height h: Int, width w: Int) {
            let gridRows = h + 4
            let gridColumns = w + 4
            let rows = gridRows + 3 + (4 - gridRows % 2)
            let columns = gridColumns + 3 + (4 - gridColumns % 2)
            let (cy, cx) = (Double(gridRows - 1) / 2, Double(gridColumns - 1) / 2)
            let (a, b) = (Double(h) / 2, Double(w) / 2)
            var core = [[Bool]](repeating: [Bool](repeating: false, count: columns), count: rows)
            for y in 0..<gridRows {
                for x in 0..<gridColumns {
                    let dy = (Double(y) - cy) / a
                    let dx = (Double(x) - cx) / b
                    let r = (dy * dy + dx * dx).squareRoot()
                    // insert.py's ellipse_mask: clip(0.5 - (r - 1) * min(a, b), 0, 1) > 0.5, i.e. r < 1.
                    if 0.5 - (r - 1) * min(a, b) > 0.5 { core[y + 3][x + 3] = true }
                }
            }
            func dilated(_ mask: [[Bool]], _ times: Int) -> [[Bool]] {
                var mask = mask
                for _ in 0..<times {
                    var next = mask
                    for y in 0..<rows {
                        for x in 0..<columns where !mask[y][x] {
                            next[y][x] =
                                (y > 0 && mask[y - 1][x]) || (y + 1 < rows && mask[y + 1][x])
                                || (x > 0 && mask[y][x - 1]) || (x + 1 < columns && mask[y][x + 1])
                        }
                    }
                    mask = next
                }
                return mask
            }
            func runs(_ mask: [[Bool]]) -> [Run] {
                mask.enumerated().compactMap { y, row in
                    guard let first = row.firstIndex(of: true), let last = row.lastIndex(of: true) else {
                        return nil
                    }
                    precondition(row[first...last].allSatisfy { $0 }, "a template row is one run")
                    return Run(dy: y - rows / 2, first: first - columns / 2, last: last - columns / 2)
                }
            }
            self.core = runs(core)
            self.inner = runs(dilated(core, 1))
            self.outer = runs(dilated(core, 4))
            self.coreCount = Self.count(self.core)
            self.ringCount = Self.count(self.outer) - Self.count(self.inner)
        }

        static func count(_ runs: [Run]) -> Int { runs.reduce(0) { $0 + $1.last - $1.first + 1 } }
    }

    /// Row prefix sums of an image's rows `rows` (the others are left 0): `values[y * (width + 1) + x]`
    /// is the sum of row y's first x pixels.
    struct PrefixSums {
        let width: Int
        let values: [Double]

        init<Pixel>(_ image: Image<Pixel>, rows: Range<Int>, _ value: (Pixel) -> Double) {
            let width = image.width
            self.width = width
            var values = [Double](repeating: 0, count: image.height * (width + 1))
            values.withUnsafeMutableBufferPointer { values in
                image.pixels.withUnsafeBufferPointer { pixels in
                    for y in rows {
                        var sum = 0.0
                        let base = y &* (width &+ 1)
                        let row = y &* width
                        for x in 0..<width {
                            sum += value(pixels[row &+ x])
                            values[base &+ x &+ 1] = sum
                        }
                    }
                }
            }
            self.values = values
        }

        /// The sums over `runs` centred on (x0 + i, y) for i in 0..<out.count, into `out`; the runs
        /// must lie in the image. Every pixel is an integer grey level, so the sums are exact whatever
        /// their order, and a row at a time vectorizes.
        func rowSums(_ runs: [Run], y: Int, x0: Int, into out: UnsafeMutableBufferPointer<Double>) {
            let count = out.count
            for i in 0..<count { out[i] = 0 }
            values.withUnsafeBufferPointer { values in
                for run in runs {
                    let base = (y + run.dy) * (width + 1) + x0
                    let high = values.baseAddress! + (base + run.last + 1)
                    let low = values.baseAddress! + (base + run.first)
                    let out = out.baseAddress!
                    for i in 0..<count { out[i] += high[i] - low[i] }
                }
            }
        }
    }

    /// The positions of one row that may hold a lesion: `positions[first..<end]`, all in columns
    /// `x0..<x0 + count`.
    struct RowSpan {
        let y: Int
        let x0: Int
        let count: Int
        let first: Int
        let end: Int
    }

    /// Per size, the positions that may hold a lesion (frame offsets, row by row) and the original's
    /// core mean and contrast there.
    struct Candidates {
        let size: Size
        let template: Template
        let sign: Double
        let rows: [RowSpan]
        let positions: [Int]
        let originalCore: [Double]
        let originalContrast: [Double]
    }

    /// Scratch rows for the three sums of a template (core, inner, outer) over a span.
    struct Sums {
        var core: [Double]
        var inner: [Double]
        var outer: [Double]

        init(width: Int) {
            (core, inner, outer) = (
                [Double](repeating: 0, count: width), [Double](repeating: 0, count: width),
                [Double](repeating: 0, count: width)
            )
        }

        /// The sums of `prefix` over `template`'s runs centred on (x0 ..< x0 + count, y).
        mutating func fill(_ prefix: PrefixSums, _ template: Template, y: Int, x0: Int, count: Int) {
            core.withUnsafeMutableBufferPointer {
                prefix.rowSums(template.core, y: y, x0: x0, into: .init(rebasing: $0[0..<count]))
            }
            inner.withUnsafeMutableBufferPointer {
                prefix.rowSums(template.inner, y: y, x0: x0, into: .init(rebasing: $0[0..<count]))
            }
            outer.withUnsafeMutableBufferPointer {
                prefix.rowSums(template.outer, y: y, x0: x0, into: .init(rebasing: $0[0..<count]))
            }
        }

        /// The mean over the core and over the ring at index `i`, as insert.py computes them.
        @inline(__always)
        func means(_ i: Int, _ template: Template) -> (core: Double, ring: Double) {
            (core[i] / Double(template.coreCount), (outer[i] - inner[i]) / Double(template.ringCount))
        }
    }

    let width: Int
    let height: Int
    /// The rows any template centred in the region reaches.
    let rows: Range<Int>
    let floor: Double
    let candidates: [Candidates]

    /// Measures the original once. `original`: grey levels (integers, 0...`maxValue`, brighter is
    /// more reflective); `region`: where a lesion's ellipse may lie; `valid`: image pixels, nil when
    /// the frame has no padding.
    public init(original: Image<Double>, region: Image<Bool>, valid: Image<Bool>?, maxValue: Int) {
        precondition(region.width == original.width && region.height == original.height)
        let (width, height) = (original.width, original.height)
        self.width = width
        self.height = height
        floor = Self.floor8Bit * Double(maxValue) / 255
        // Only rows a template centred in the region can reach are summed.
        var spans = [(first: Int, last: Int)?](repeating: nil, count: height)
        region.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<height {
                let row = pixels[(y * width)..<((y + 1) * width)]
                if let first = row.firstIndex(of: true), let last = row.lastIndex(of: true) {
                    spans[y] = (first - y * width, last - y * width)
                }
            }
        }
        let regionRows = (0..<height).filter { spans[$0] != nil }
        let reach = Self.sizes.map { ($0.height + 13) / 2 + 5 }.max() ?? 0
        let rows = max(0, (regionRows.first ?? 0) - reach)..<min(height, (regionRows.last ?? -1) + reach + 1)
        self.rows = rows
        let prefix = PrefixSums(original, rows: rows) { $0 }
        let regionCounts = PrefixSums(region, rows: rows) { $0 ? 1.0 : 0.0 }
        let validCounts = PrefixSums(valid ?? Image(width: width, height: height, repeating: true), rows: rows) {
            $0 ? 1.0 : 0.0
        }
        var sums = Sums(width: width)
        var inRegion = [Double](repeating: 0, count: width)
        var inImage = [Double](repeating: 0, count: width)
        var candidates: [Candidates] = []
        for size in Self.sizes {
            let template = Template(height: size.height, width: size.width)
            let top = -(template.outer.map(\.dy).min() ?? 0)
            let bottom = template.outer.map(\.dy).max() ?? 0
            let left = -(template.outer.map(\.first).min() ?? 0)
            let right = template.outer.map(\.last).max() ?? 0
            let coreCount = Double(template.coreCount)
            let outerCount = Double(Template.count(template.outer))
            var rows: [RowSpan] = []
            var positions: [Int] = []
            var cores: [Double] = []
            var contrasts: [Double] = []
            if height - top - bottom > 0 && width - left - right > 0 {
                for y in top..<(height - bottom) {
                    guard let span = spans[y] else { continue }
                    let x0 = max(span.first, left)
                    let x1 = min(span.last, width - right - 1)
                    guard x0 <= x1 else { continue }
                    let count = x1 - x0 + 1
                    inRegion.withUnsafeMutableBufferPointer {
                        regionCounts.rowSums(template.core, y: y, x0: x0, into: .init(rebasing: $0[0..<count]))
                    }
                    inImage.withUnsafeMutableBufferPointer {
                        validCounts.rowSums(template.outer, y: y, x0: x0, into: .init(rebasing: $0[0..<count]))
                    }
                    sums.fill(prefix, template, y: y, x0: x0, count: count)
                    let first = positions.count
                    for i in 0..<count where inRegion[i] == coreCount && inImage[i] == outerCount {
                        let (core, ring) = sums.means(i, template)
                        positions.append(y * width + x0 + i)
                        cores.append(core)
                        contrasts.append((core - ring) / max(ring, floor))
                    }
                    if positions.count > first {
                        let last = positions[positions.count - 1] - y * width
                        let start = positions[first] - y * width
                        rows.append(
                            RowSpan(y: y, x0: start, count: last - start + 1, first: first, end: positions.count))
                    }
                }
            }
            candidates.append(
                Candidates(
                    size: size, template: template, sign: size.kind == .cyst ? -1 : 1, rows: rows,
                    positions: positions, originalCore: cores, originalContrast: contrasts))
        }
        self.candidates = candidates
    }

    /// Per size (in ``sizes`` order), the positions where `restored` shows a false lesion.
    public func maps(_ restored: Image<Double>) -> [(size: Size, hits: Image<Bool>)] {
        precondition(restored.width == width && restored.height == height)
        let prefix = PrefixSums(restored, rows: rows) { $0 }
        var sums = Sums(width: width)
        return candidates.map { c in
            var hits = Image<Bool>(width: width, height: height, repeating: false)
            for row in c.rows {
                sums.fill(prefix, c.template, y: row.y, x0: row.x0, count: row.count)
                for i in row.first..<row.end {
                    let position = c.positions[i]
                    let (core, ring) = sums.means(position - row.y * width - row.x0, c.template)
                    let scale = max(ring, floor)
                    let contrast = (core - ring) / scale
                    if ring >= floor, c.sign * contrast >= Self.contrast,
                        c.sign * (contrast - c.originalContrast[i]) >= Self.contrast,
                        c.sign * (core - c.originalCore[i]) / scale >= Self.contrast
                    {
                        hits.pixels[position] = true
                    }
                }
            }
            return (c.size, hits)
        }
    }

    /// One false lesion: a group of 8-connected marked positions of one size, and where it is (the
    /// middle of the group's bounding box).
    public struct Found: Sendable, Equatable {
        public let size: Size
        public let x: Int
        public let y: Int
    }

    /// Every false lesion `restored` shows, size by size (in ``sizes`` order).
    public func lesions(_ restored: Image<Double>) -> [Found] {
        maps(restored).flatMap { size, hits in
            Self.groups(of: hits).map { Found(size: size, x: ($0.minX + $0.maxX) / 2, y: ($0.minY + $0.maxY) / 2) }
        }
    }

    /// Per size (in ``sizes`` order), the number of false lesions: groups of 8-connected positions.
    public func count(_ restored: Image<Double>) -> [(size: Size, count: Int)] {
        maps(restored).map { ($0.size, Self.groups(of: $0.hits).count) }
    }

    /// The bounding boxes of the 8-connected groups of true pixels, in the order of their first pixel.
    static func groups(of mask: Image<Bool>) -> [(minX: Int, maxX: Int, minY: Int, maxY: Int)] {
        var seen = [Bool](repeating: false, count: mask.pixels.count)
        var boxes: [(minX: Int, maxX: Int, minY: Int, maxY: Int)] = []
        var stack: [Int] = []
        for start in mask.pixels.indices where mask.pixels[start] && !seen[start] {
            var box = (minX: Int.max, maxX: Int.min, minY: Int.max, maxY: Int.min)
            seen[start] = true
            stack.append(start)
            while let p = stack.popLast() {
                let (x, y) = (p % mask.width, p / mask.width)
                box = (min(box.minX, x), max(box.maxX, x), min(box.minY, y), max(box.maxY, y))
                for ny in max(0, y - 1)...min(mask.height - 1, y + 1) {
                    for nx in max(0, x - 1)...min(mask.width - 1, x + 1) {
                        let q = ny * mask.width + nx
                        if mask.pixels[q] && !seen[q] {
                            seen[q] = true
                            stack.append(q)
                        }
                    }
                }
            }
            boxes.append(box)
        }
        return boxes
    }
}
