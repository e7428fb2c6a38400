extension FrameRecord {
    /// The record section body in the current format version: fields, the ROI's zstd frame (absent when
    /// empty), the bitstream's zstd frame (absent when empty). Returns the body and the ROI frame's length.
    func sectionBody(
        compressor: Zstd.Compressor
    ) throws(Zstd.CompressionFailure) -> (body: [UInt8], roiFrameLength: Int) {
        let roiFrame = roi.isEmpty ? [] : try compressor.compress(roi)
        let bitstreamFrame = bitstream.isEmpty ? [] : try compressor.compress(bitstream)
        var writer = ByteWriter()
        writer.u32(UInt32(instanceIndex))
        writer.u32(UInt32(frameIndex))
        writer.u8(pixelChecksum == nil ? 0 : 1)
        writer.u32(pixelChecksum ?? 0)
        writer.u32(UInt32(roiFrame.count))
        writer.raw(roiFrame)
        writer.raw(bitstreamFrame)
        return (writer.bytes, roiFrame.count)
    }

    /// Parses a record body of format `version` (`range` of `bytes`) and checks it against its index entry.
    static func parse(
        _ bytes: [UInt8], body range: Range<Int>, version: Int, location: RecordLocation,
        site: ErrorSite
    ) throws -> FrameRecord {
        var reader = ByteReader(bytes, range: range, site: site, what: "record")
        let instance = Int(try reader.u32("instance index"))
        let frame = Int(try reader.u32("frame index"))
        let mode = version == 1 ? FrameMode(rawValue: try reader.u8("mode")) : nil
        let flags = try reader.u8("flags")
        let checksum = try reader.u32("pixel checksum")
        let roiFrameLength = Int(try reader.u32("ROI frame length"))
        guard instance == location.instanceIndex, frame == location.frameIndex,
            roiFrameLength == location.roiFrameLength
        else {
            throw site.error(
                .invalid(
                    "the record holds instance \(instance), frame \(frame), a \(roiFrameLength)-byte ROI frame; the index says instance \(location.instanceIndex), frame \(location.frameIndex), \(location.roiFrameLength) bytes"
                ))
        }
        guard flags & ~1 == 0, flags == 1 || checksum == 0 else {
            throw site.error(.invalid("record flags 0x\(String(flags, radix: 16)) with pixel checksum \(checksum)"))
        }
        let roiRange = try reader.skip(roiFrameLength, "ROI frame")
        let bitstreamRange = try reader.skip(reader.remaining, "bitstream frame")
        let roi =
            roiRange.isEmpty
            ? []
            : try Zstd.decompress(
                bytes, range: roiRange, limit: OctzFormat.maximumROIBytes, what: "the ROI record", site: site)
        let bitstream =
            bitstreamRange.isEmpty
            ? []
            : try Zstd.decompress(
                bytes, range: bitstreamRange, limit: OctzFormat.maximumBitstreamBytes, what: "the bitstream", site: site
            )
        var record = FrameRecord(
            instanceIndex: instance, frameIndex: frame, roi: roi, bitstream: bitstream,
            pixelChecksum: flags == 1 ? checksum : nil)
        record.version1Mode = mode
        return record
    }
}
