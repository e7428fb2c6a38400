import Imaging

/// A coarse picture of what lies outside the ROI band — the vitreous above it, the choroid and sclera
/// below it — so that a restored frame reads as a B-scan instead of a band on a flat grey.
///
/// The frame is cut into cells of `cellHeight` x `cellWidth` pixels. A cell is *coded* when at least
/// one of its pixels lies outside the ROI, inside the frame and off the padding; its level is the
/// mean of those pixels, quantized to `levels` steps of its square root over [0, 1] (finer steps in
/// the dark vitreous and sclera, where equal steps showed as bands). Cells wholly inside the ROI or
/// the padding carry nothing: their level is filled in from the nearest coded cell of their column
/// (the one above on a tie; from the nearest column with a coded cell, the left one on a tie, when
/// their column has none). Which cells are coded follows from the geometry alone, so a reader knows
/// it before it reads a level.
///
/// Restored pixels outside the ROI interpolate the levels bilinearly between cell centres. Levels
/// are coded in raster order as signed Exp-Golomb residuals from a prediction out of the coded
/// neighbours already read (left, up, up-left: the median edge detector of JPEG-LS when all three
/// are coded).
public struct CoarseContext: Sendable, Equatable {
    /// The cells of new conversions: 16 x 16 pixels (about 60 µm deep on Spectralis), 32 levels. On the
    /// Duke dev volume that is about 2.5 % of cr50c's stored bytes and 5 % of cr100c's (8-row cells
    /// cost twice that: 9.6 % of cr100c's, too close to the 10 % the layer may take).
    public static let defaultCellHeight = 16
    public static let defaultCellWidth = 16
    public static let defaultLevels = 32

    public let cellHeight: Int
    public let cellWidth: Int
    public let levels: Int
    public let rows: Int
    public let columns: Int
    /// Per cell in raster order: the quantized level, 0..<levels (filled in for cells not coded).
    public let codes: [UInt8]
    /// Per cell in raster order: whether its level is coded.
    public let coded: [Bool]

    struct Failure: Error {
        let description: String
    }

    /// The context of `frame` outside the ROI rows `top[x]...bottom[x]` of each column.
    public static func measure(
        frame: Image<Float>, top: [Int], bottom: [Int], padding: PaddingMask?,
        cellHeight: Int = defaultCellHeight, cellWidth: Int = defaultCellWidth,
        levels: Int = defaultLevels
    ) -> CoarseContext {
        precondition(
            (1...255).contains(cellHeight) && (1...255).contains(cellWidth) && (2...255).contains(levels),
            "CoarseContext.measure: cells and levels must fit the record's bytes")
        let rows = (frame.height + cellHeight - 1) / cellHeight
        let columns = (frame.width + cellWidth - 1) / cellWidth
        var sums = [Double](repeating: 0, count: rows * columns)
        var counts = [Int](repeating: 0, count: rows * columns)
        let width = frame.width
        let padded = padding?.image.pixels
        frame.pixels.withUnsafeBufferPointer { pixels in
            sums.withUnsafeMutableBufferPointer { sums in
                counts.withUnsafeMutableBufferPointer { counts in
                    for y in 0..<frame.height {
                        let cellRow = (y / cellHeight) * columns
                        for x in 0..<width where (y < top[x] || y > bottom[x]) && !(padded?[y * width + x] ?? false) {
                            let cell = cellRow + x / cellWidth
                            sums[cell] += Double(pixels[y * width + x])
                            counts[cell] += 1
                        }
                    }
                }
            }
        }
        var codes = [UInt8](repeating: 0, count: rows * columns)
        for cell in codes.indices where counts[cell] > 0 {
            let mean = min(max(sums[cell] / Double(counts[cell]), 0), 1)
            codes[cell] = UInt8(min(levels - 1, Int(mean.squareRoot() * Double(levels))))
        }
        let coded = counts.map { $0 > 0 }
        return CoarseContext(
            cellHeight: cellHeight, cellWidth: cellWidth, levels: levels, rows: rows,
            columns: columns, codes: fillUncoded(codes, coded: coded, rows: rows, columns: columns),
            coded: coded)
    }

    /// Which cells of a frame with this ROI carry a level (see the type's description).
    static func codedCells(
        width: Int, height: Int, top: [Int], bottom: [Int], padding: PaddingMask?,
        cellHeight: Int, cellWidth: Int
    ) -> [Bool] {
        let rows = (height + cellHeight - 1) / cellHeight
        let columns = (width + cellWidth - 1) / cellWidth
        var coded = [Bool](repeating: false, count: rows * columns)
        for x in 0..<width {
            let column = x / cellWidth
            let outside = [0..<min(max(top[x], 0), height), min(max(bottom[x] + 1, 0), height)..<height]
            for range in outside {
                // Cell by cell down the column: a cell is coded once one of its pixels is outside the
                // band and not padding, so the pixels after that one need no look.
                var y = range.lowerBound
                while y < range.upperBound {
                    let cellRow = y / cellHeight
                    let end = min((cellRow + 1) * cellHeight, range.upperBound)
                    let index = cellRow * columns + column
                    if !coded[index] {
                        if let padding {
                            coded[index] = (y..<end).contains { !padding.contains(x: x, y: $0) }
                        } else {
                            coded[index] = true
                        }
                    }
                    y = end
                }
            }
        }
        return coded
    }

    private init(cellHeight: Int, cellWidth: Int, levels: Int, rows: Int, columns: Int, codes: [UInt8], coded: [Bool]) {
        self.cellHeight = cellHeight
        self.cellWidth = cellWidth
        self.levels = levels
        self.rows = rows
        self.columns = columns
        self.codes = codes
        self.coded = coded
    }

    /// The level a coded cell is predicted to have from the coded cells before it in raster order.
    private static func prediction(
        _ codes: [UInt8], coded: [Bool], row: Int, column: Int, columns: Int,
        last: Int
    ) -> Int {
        func at(_ r: Int, _ c: Int) -> Int? {
            r >= 0 && c >= 0 && coded[r * columns + c] ? Int(codes[r * columns + c]) : nil
        }
        let left = at(row, column - 1)
        let up = at(row - 1, column)
        let upLeft = at(row - 1, column - 1)
        switch (left, up, upLeft) {
        case let (l?, u?, d?):
            if d >= max(l, u) { return min(l, u) }
            if d <= min(l, u) { return max(l, u) }
            return l + u - d
        case let (l?, u?, nil): return (l + u) / 2
        case let (l?, nil, _): return l
        case let (nil, u?, _): return u
        default: return last
        }
    }

    /// Writes the coded cells' levels.
    func write(to writer: inout BitWriter) {
        var last = 0
        for row in 0..<rows {
            for column in 0..<columns where coded[row * columns + column] {
                let value = Int(codes[row * columns + column])
                writer.write(
                    signed: value
                        - Self.prediction(
                            codes, coded: coded, row: row, column: column,
                            columns: columns, last: last))
                last = value
            }
        }
    }

    /// Reads the levels of the cells that a frame of this size and ROI codes.
    static func read(
        from reader: inout BitReader, width: Int, height: Int, top: [Int], bottom: [Int],
        padding: PaddingMask?, cellHeight: Int, cellWidth: Int, levels: Int
    ) throws -> CoarseContext {
        let rows = (height + cellHeight - 1) / cellHeight
        let columns = (width + cellWidth - 1) / cellWidth
        let coded = codedCells(
            width: width, height: height, top: top, bottom: bottom, padding: padding,
            cellHeight: cellHeight, cellWidth: cellWidth)
        var codes = [UInt8](repeating: 0, count: rows * columns)
        var last = 0
        for row in 0..<rows {
            for column in 0..<columns where coded[row * columns + column] {
                let value =
                    prediction(codes, coded: coded, row: row, column: column, columns: columns, last: last)
                    + (try reader.readSigned())
                guard (0..<levels).contains(value) else {
                    throw Failure(description: "context cell (\(row), \(column)) has level \(value) of \(levels)")
                }
                codes[row * columns + column] = UInt8(value)
                last = value
            }
        }
        return CoarseContext(
            cellHeight: cellHeight, cellWidth: cellWidth, levels: levels, rows: rows, columns: columns,
            codes: fillUncoded(codes, coded: coded, rows: rows, columns: columns), coded: coded)
    }

    /// Cells without a level take the nearest coded cell's of their column, or of the nearest column.
    private static func fillUncoded(_ codes: [UInt8], coded: [Bool], rows: Int, columns: Int) -> [UInt8] {
        var filled = codes
        var columnHasCoded = [Bool](repeating: false, count: columns)
        for column in 0..<columns {
            let codedRows = (0..<rows).filter { coded[$0 * columns + column] }
            guard !codedRows.isEmpty else { continue }
            columnHasCoded[column] = true
            for row in 0..<rows where !coded[row * columns + column] {
                let nearest = codedRows.min {
                    abs($0 - row) < abs($1 - row) || (abs($0 - row) == abs($1 - row) && $0 < $1)
                }!
                filled[row * columns + column] = codes[nearest * columns + column]
            }
        }
        let sources = (0..<columns).filter { columnHasCoded[$0] }
        guard !sources.isEmpty else { return filled }
        for column in 0..<columns where !columnHasCoded[column] {
            let nearest = sources.min {
                abs($0 - column) < abs($1 - column) || (abs($0 - column) == abs($1 - column) && $0 < $1)
            }!
            for row in 0..<rows { filled[row * columns + column] = filled[row * columns + nearest] }
        }
        return filled
    }

    /// The level of a cell as an intensity: the middle of its quantization step, squared.
    func intensity(row: Int, column: Int) -> Float {
        let root = (Float(codes[row * columns + column]) + 0.5) / Float(levels)
        return root * root
    }

    /// A `width` x `height` frame interpolating the levels bilinearly between cell centres (clamped at
    /// the borders). Every pixel is computed, the ROI's too (the band overwrites them): a loop
    /// without a test per pixel is faster than one that skips them.
    public func render(width: Int, height: Int) -> Image<Float> {
        var image = Image<Float>(width: width, height: height, repeating: 0)
        guard width > 0, height > 0 else { return image }
        func axis(_ position: Int, cell: Int, count: Int) -> (Int, Int, Float) {
            let centre = (Float(position) + 0.5) / Float(cell) - 0.5
            let lower = Int(centre.rounded(.down))
            let weight = centre - Float(lower)
            return (min(max(lower, 0), count - 1), min(max(lower + 1, 0), count - 1), weight)
        }
        let across = (0..<width).map { axis($0, cell: cellWidth, count: columns) }
        // Each cell row interpolated across once (the same arithmetic per pixel as interpolating in
        // place), then rows blended down: the pixels are those of the per-pixel formula.
        var interpolated: [Int: [Float]] = [:]
        func acrossRow(_ row: Int) -> [Float] {
            if let done = interpolated[row] { return done }
            let values = across.map { c0, c1, wx in
                intensity(row: row, column: c0) * (1 - wx) + intensity(row: row, column: c1) * wx
            }
            interpolated[row] = values
            return values
        }
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            for y in 0..<height {
                let (r0, r1, wy) = axis(y, cell: cellHeight, count: rows)
                let row = pixels.baseAddress! + y * width
                acrossRow(r0).withUnsafeBufferPointer { upper in
                    acrossRow(r1).withUnsafeBufferPointer { lower in
                        for x in 0..<width { row[x] = upper[x] * (1 - wy) + lower[x] * wy }
                    }
                }
            }
        }
        return image
    }
}
