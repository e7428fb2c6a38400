import Imaging

/// Pixels outside the scan, stored as vertical runs per column (padding wedges are a run or two
/// per column, so this is compact and quick to test).
public struct PaddingMask: Sendable, Equatable {
    /// One vertical run of padding: rows `start..<start + length` of a column.
    public struct Run: Sendable, Equatable {
        public var start: Int
        public var length: Int

        public init(start: Int, length: Int) {
            self.start = start
            self.length = length
        }
    }

    public let width: Int
    public let height: Int
    /// Per column, its runs from top to bottom, non-overlapping and not touching.
    public private(set) var columns: [[Run]]

    /// The runs of `mask` (`true` = padding).
    public init(_ mask: Image<Bool>) {
        width = mask.width
        height = mask.height
        columns = (0..<mask.width).map { x in
            var runs: [Run] = []
            var y = 0
            while y < mask.height {
                guard mask[x, y] else {
                    y += 1
                    continue
                }
                let start = y
                while y < mask.height && mask[x, y] { y += 1 }
                runs.append(Run(start: start, length: y - start))
            }
            return runs
        }
    }

    /// A mask from runs; invalid runs (out of bounds, overlapping, unsorted) are rejected.
    public init?(width: Int, height: Int, columns: [[Run]]) {
        guard columns.count == width else { return nil }
        for runs in columns {
            var end = -1
            for run in runs {
                guard run.length > 0, run.start > end, run.start + run.length <= height else { return nil }
                end = run.start + run.length
            }
        }
        self.width = width
        self.height = height
        self.columns = columns
    }

    /// Pixels equal to `value` that reach the top or bottom edge of their column through a vertical
    /// run of such pixels: the scanner's padding wedges (Spectralis exports: 255 in 8-bit data),
    /// without the odd saturated pixel inside the tissue. Nil when there is none.
    public static func edgeRuns(of value: Float, in frame: Image<Float>) -> PaddingMask? {
        // Per column: the run from the top, and the run from the bottom up to it (one run when the
        // whole column is `value`). Runs directly, not through a mask image of the frame's size.
        let height = frame.height
        var any = false
        let columns = (0..<frame.width).map { x -> [Run] in
            var top = 0
            while top < height && frame[x, top] == value { top += 1 }
            var bottom = height
            while bottom > top && frame[x, bottom - 1] == value { bottom -= 1 }
            var runs: [Run] = []
            if top > 0 { runs.append(Run(start: 0, length: top)) }
            if bottom < height && bottom > top { runs.append(Run(start: bottom, length: height - bottom)) }
            any = any || !runs.isEmpty
            return runs
        }
        return any ? PaddingMask(width: frame.width, height: height, columns: columns) : nil
    }

    /// Whether pixel (`x`, `y`) is padding.
    public func contains(x: Int, y: Int) -> Bool {
        for run in columns[x] {
            if y < run.start { return false }
            if y < run.start + run.length { return true }
        }
        return false
    }

    /// The mask as an image (`true` = padding).
    public var image: Image<Bool> {
        var mask = Image<Bool>(width: width, height: height, repeating: false)
        for (x, runs) in columns.enumerated() {
            for run in runs { for y in run.start..<(run.start + run.length) { mask[x, y] = true } }
        }
        return mask
    }
}
