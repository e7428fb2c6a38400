extension RecordLocation {
    /// An index entry: instance (u32), frame (u32), offset (u64), length (u32), ROI frame length (u32).
    func write(to writer: inout ByteWriter) {
        writer.u32(UInt32(instanceIndex))
        writer.u32(UInt32(frameIndex))
        writer.u64(UInt64(offset))
        writer.u32(UInt32(length))
        writer.u32(UInt32(roiFrameLength))
    }

    /// Parses `count` index entries and checks that the records they describe tile the file from
    /// `recordsStart` (unknown yet: the first entry's offset) to `indexOffset` without gaps or overlap.
    static func parseIndex(
        _ bytes: [UInt8], count: Int, indexOffset: Int, version: Int,
        site: ErrorSite
    ) throws -> [RecordLocation] {
        var reader = ByteReader(bytes, site: site, what: "index")
        var locations: [RecordLocation] = []
        locations.reserveCapacity(count)
        let fields = OctzFormat.minimumRecordSectionSize(version: version)
        for position in 0..<count {
            let instance = Int(try reader.u32("entry \(position) instance"))
            let frame = Int(try reader.u32("entry \(position) frame"))
            let offset = try reader.u64("entry \(position) offset")
            let length = Int(try reader.u32("entry \(position) length"))
            let roiFrameLength = Int(try reader.u32("entry \(position) ROI frame length"))
            let expectedOffset = locations.last.map { UInt64($0.offset + $0.length) }
            guard expectedOffset == nil || offset == expectedOffset! else {
                throw site.error(
                    .invalid(
                        "entry \(position) (instance \(instance), frame \(frame)) starts at \(offset), the previous record ends at \(expectedOffset!)"
                    ))
            }
            guard length >= fields, length <= OctzFormat.maximumSectionBytes, roiFrameLength <= length - fields,
                offset <= UInt64(indexOffset), UInt64(length) <= UInt64(indexOffset) - offset
            else {
                throw site.error(
                    .invalid(
                        "entry \(position) (instance \(instance), frame \(frame)): a \(length)-byte record at \(offset) with a \(roiFrameLength)-byte ROI frame does not fit before the index at \(indexOffset)"
                    ))
            }
            locations.append(
                RecordLocation(
                    instanceIndex: instance, frameIndex: frame, offset: Int(offset),
                    length: length, roiFrameLength: roiFrameLength))
        }
        try reader.expectEnd()
        if let last = locations.last, last.offset + last.length != indexOffset {
            throw site.error(
                .invalid("the last record ends at \(last.offset + last.length), the index starts at \(indexOffset)"))
        }
        return locations
    }

    /// Checks the entries against the header: instances and frames exist and come in strictly increasing
    /// (instance, frame) order.
    static func validate(_ locations: [RecordLocation], header: ContainerHeader, site: ErrorSite) throws {
        var previous: RecordLocation?
        for (position, location) in locations.enumerated() {
            guard location.instanceIndex < header.instances.count else {
                throw site.error(
                    .invalid(
                        "entry \(position) names instance \(location.instanceIndex); the header has \(header.instances.count)"
                    ))
            }
            let frames = header.instances[location.instanceIndex].geometry.frames
            guard location.frameIndex < frames else {
                throw site.error(
                    .invalid(
                        "entry \(position) names frame \(location.frameIndex) of instance \(location.instanceIndex), which has \(frames) frames"
                    ))
            }
            if let previous,
                (previous.instanceIndex, previous.frameIndex) >= (location.instanceIndex, location.frameIndex)
            {
                throw site.error(
                    .invalid(
                        "entry \(position) (instance \(location.instanceIndex), frame \(location.frameIndex)) does not follow entry \(position - 1) (instance \(previous.instanceIndex), frame \(previous.frameIndex))"
                    ))
            }
            previous = location
        }
    }
}
