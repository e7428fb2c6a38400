/// The compact, versioned per-frame serialization of an `ROIGeometry`.
///
/// Layout (integers little-endian; "EG" = Exp-Golomb order 0, "sEG" = zigzag EG):
/// ```
/// u8  version: 2 with a coarse context, else 1 (what every octarc before the context wrote)
/// u8  flags: bit 0 whole-frame mode, bit 1 padding present, bit 2 coarse context present
///     (version 2, band mode only, and then always set); other bits 0
/// u16 frame width, u16 frame height, u16 band width, u16 band height
/// u16 background above, u16 background below   (level x 65535)
/// f32 padding value                              (only with padding)
/// u8  cell height, u8 cell width, u8 levels      (only with the context; levels ≥ 2)
/// bit stream, zero-padded to a byte:
///   band mode: sEG top[0], then sEG top[x] − top[x−1];
///              EG  (bottom[0] − top[0]), then sEG of its change per column
///   padding:   per column: sEG (run count − previous column's run count), then per run i
///              sEG (start − start of the previous column's run i, or 0), sEG (length − its length, or 0)
///   context:   per coded cell in raster order, sEG (level − prediction) (`CoarseContext`)
/// ```
/// Decoding checks every field and throws `ROIRecord.Failure` on anything inconsistent, truncated
/// or trailing; it never traps.
public enum ROIRecord {
    /// The newest version this octarc reads and writes.
    public static let version: UInt8 = 2
    static let maximumSide = 16384

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// The record of `geometry`.
    public static func encode(_ geometry: ROIGeometry) -> [UInt8] {
        let context = geometry.mode == .band ? geometry.context : nil
        var bytes: [UInt8] = [context != nil ? 2 : 1]
        bytes.append(
            (geometry.mode == .wholeFrame ? 1 : 0) | (geometry.padding != nil ? 2 : 0) | (context != nil ? 4 : 0))
        for value in [
            geometry.frameWidth, geometry.frameHeight, geometry.bandWidth, geometry.bandHeight,
            level(geometry.backgroundAbove), level(geometry.backgroundBelow),
        ] {
            bytes.append(UInt8(truncatingIfNeeded: value))
            bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        }
        if geometry.padding != nil {
            let bits = geometry.paddingValue.bitPattern
            for shift in stride(from: 0, to: 32, by: 8) {
                bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift)))
            }
        }
        if let context {
            bytes += [context.cellHeight, context.cellWidth, context.levels].map { UInt8(clamping: $0) }
        }
        var writer = BitWriter()
        if geometry.mode == .band {
            var previousTop = 0
            var previousSpan = 0
            for x in 0..<geometry.frameWidth {
                let span = geometry.bottom[x] - geometry.top[x]
                writer.write(signed: geometry.top[x] - previousTop)
                if x == 0 { writer.write(unsigned: span) } else { writer.write(signed: span - previousSpan) }
                previousTop = geometry.top[x]
                previousSpan = span
            }
        }
        if let padding = geometry.padding {
            var previous: [PaddingMask.Run] = []
            for runs in padding.columns {
                writer.write(signed: runs.count - previous.count)
                for (i, run) in runs.enumerated() {
                    let reference = i < previous.count ? previous[i] : PaddingMask.Run(start: 0, length: 0)
                    writer.write(signed: run.start - reference.start)
                    writer.write(signed: run.length - reference.length)
                }
                previous = runs
            }
        }
        context?.write(to: &writer)
        return bytes + writer.bytes
    }

    /// The geometry a record describes.
    public static func decode(_ bytes: [UInt8]) throws -> ROIGeometry {
        guard bytes.count >= 14 else { throw Failure(description: "ROI record truncated (\(bytes.count) bytes)") }
        guard (1...version).contains(bytes[0]) else {
            throw Failure(
                description: "ROI record version \(bytes[0]) is not supported (this octarc reads 1 to \(version))")
        }
        let flags = bytes[1]
        guard flags & ~7 == 0, (flags & 4 != 0) == (bytes[0] == 2) else {
            throw Failure(description: "ROI record version \(bytes[0]) has unknown flags \(flags)")
        }
        let wholeFrame = flags & 1 != 0
        let hasPadding = flags & 2 != 0
        let hasContext = flags & 4 != 0
        guard !(wholeFrame && hasContext) else {
            throw Failure(description: "ROI record has a context in whole-frame mode")
        }
        func u16(_ offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 }
        let frameWidth = u16(2)
        let frameHeight = u16(4)
        let bandWidth = u16(6)
        let bandHeight = u16(8)
        guard (1...maximumSide).contains(frameWidth), (1...maximumSide).contains(frameHeight),
            (frameWidth...maximumSide).contains(bandWidth), (1...maximumSide).contains(bandHeight),
            !wholeFrame || bandHeight >= frameHeight
        else {
            throw Failure(
                description: "ROI record sizes are inconsistent (frame \(frameHeight)x\(frameWidth), "
                    + "band \(bandHeight)x\(bandWidth))")
        }
        let above = Float(u16(10)) / 65535
        let below = Float(u16(12)) / 65535
        var offset = 14
        var paddingValue: Float = 0
        if hasPadding {
            guard bytes.count >= offset + 4 else {
                throw Failure(description: "ROI record truncated in the padding value")
            }
            var bits: UInt32 = 0
            for i in 0..<4 { bits |= UInt32(bytes[offset + i]) << UInt32(8 * i) }
            paddingValue = Float(bitPattern: bits)
            guard paddingValue.isFinite else { throw Failure(description: "ROI record padding value is not finite") }
            offset += 4
        }
        var cell = (height: 0, width: 0, levels: 0)
        if hasContext {
            guard bytes.count >= offset + 3 else {
                throw Failure(description: "ROI record truncated in the context cells")
            }
            cell = (Int(bytes[offset]), Int(bytes[offset + 1]), Int(bytes[offset + 2]))
            guard cell.height >= 1, cell.width >= 1, cell.levels >= 2 else {
                throw Failure(
                    description:
                        "ROI record context cells \(cell.height)x\(cell.width), \(cell.levels) levels, are invalid")
            }
            offset += 3
        }
        var reader = BitReader(bytes[offset...])
        do {
            var top = [Int](repeating: 0, count: frameWidth)
            var bottom = [Int](repeating: frameHeight - 1, count: frameWidth)
            if !wholeFrame {
                var previousTop = 0
                var previousSpan = 0
                for x in 0..<frameWidth {
                    top[x] = previousTop + (try reader.readSigned())
                    let span = x == 0 ? try reader.readUnsigned() : previousSpan + (try reader.readSigned())
                    guard (0..<bandHeight).contains(span), top[x] < frameHeight, top[x] + span >= 0,
                        abs(top[x]) <= maximumSide
                    else {
                        throw Failure(description: "ROI record column \(x) lies outside the frame or the band")
                    }
                    bottom[x] = top[x] + span
                    previousTop = top[x]
                    previousSpan = span
                }
            }
            var padding: PaddingMask?
            if hasPadding {
                var columns: [[PaddingMask.Run]] = []
                var previous: [PaddingMask.Run] = []
                for x in 0..<frameWidth {
                    let count = previous.count + (try reader.readSigned())
                    guard (0...(frameHeight + 1) / 2).contains(count) else {
                        throw Failure(description: "ROI record padding column \(x) has \(count) runs")
                    }
                    var runs: [PaddingMask.Run] = []
                    for i in 0..<count {
                        let reference = i < previous.count ? previous[i] : PaddingMask.Run(start: 0, length: 0)
                        let start = reference.start + (try reader.readSigned())
                        let length = reference.length + (try reader.readSigned())
                        runs.append(PaddingMask.Run(start: start, length: length))
                    }
                    columns.append(runs)
                    previous = runs
                }
                guard let mask = PaddingMask(width: frameWidth, height: frameHeight, columns: columns) else {
                    throw Failure(description: "ROI record padding runs are out of bounds or overlap")
                }
                padding = mask
            }
            var context: CoarseContext?
            if hasContext {
                do {
                    context = try CoarseContext.read(
                        from: &reader, width: frameWidth, height: frameHeight, top: top,
                        bottom: bottom, padding: padding, cellHeight: cell.height,
                        cellWidth: cell.width, levels: cell.levels)
                } catch let failure as CoarseContext.Failure {
                    throw Failure(description: "ROI record \(failure.description)")
                }
            }
            guard reader.isAtEnd else { throw Failure(description: "ROI record has trailing bytes") }
            return ROIGeometry(
                mode: wholeFrame ? .wholeFrame : .band, frameWidth: frameWidth, frameHeight: frameHeight,
                bandWidth: bandWidth, bandHeight: bandHeight, top: top, bottom: bottom, padding: padding,
                paddingValue: paddingValue, backgroundAbove: above, backgroundBelow: below, context: context)
        } catch is BitReader.Exhausted {
            throw Failure(description: "ROI record truncated or corrupt bit stream")
        }
    }

    private static func level(_ value: Float) -> Int {
        guard !value.isNaN else { return 0 }
        return Int((min(max(value, 0), 1) * 65535).rounded())
    }
}
