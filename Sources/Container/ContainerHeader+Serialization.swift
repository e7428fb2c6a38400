extension ContainerHeader {
    /// The metadata block (everything but the header datasets' bytes), the same in format versions 1 and 2.
    func metadataBytes() -> [UInt8] {
        var writer = ByteWriter()
        writer.string(toolVersion)
        writer.string(profileName)
        writer.raw(profileWeightsSHA256)
        writer.string(studyInstanceUID)
        writer.string(seriesInstanceUID)
        writer.string(patientID)
        writer.u32(UInt32(properties.count))
        for key in properties.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            writer.string(key)
            writer.string(properties[key]!)
        }
        writer.u32(UInt32(instances.count))
        for instance in instances {
            let geometry = instance.geometry
            writer.string(instance.sopInstanceUID)
            writer.string(instance.sopClassUID)
            writer.string(instance.transferSyntaxUID)
            writer.u16(UInt16(geometry.rows))
            writer.u16(UInt16(geometry.columns))
            writer.u32(UInt32(geometry.frames))
            writer.u16(UInt16(geometry.bitsAllocated))
            writer.u16(UInt16(geometry.bitsStored))
            writer.u16(UInt16(geometry.highBit))
            writer.u16(UInt16(geometry.pixelRepresentation))
            writer.string(geometry.photometricInterpretation)
            writer.u8(geometry.pixelPaddingValue == nil ? 0 : 1)
            writer.u32(UInt32(bitPattern: geometry.pixelPaddingValue ?? 0))
            writer.u64(UInt64(instance.pixelDataByteCount))
            writer.u64(UInt64(instance.headerDataset.count))
        }
        return writer.bytes
    }

    /// The header datasets, one after the other in instance order.
    func datasetBytes() -> [UInt8] {
        instances.flatMap(\.headerDataset)
    }

    /// Parses a metadata block (versions 1 and 2) into a header whose instances have empty header datasets, and
    /// the datasets' lengths (validated: their total is at most the format's limit).
    static func parse(metadata: [UInt8], site: ErrorSite) throws -> (header: ContainerHeader, datasetLengths: [Int]) {
        var reader = ByteReader(metadata, site: site, what: "header metadata")
        let toolVersion = try reader.string("tool version")
        let profileName = try reader.string("profile name")
        let digest = try reader.raw(OctzFormat.profileDigestSize, "profile weights SHA-256")
        let study = try reader.string("study instance UID")
        let series = try reader.string("series instance UID")
        let patient = try reader.string("patient ID")

        let propertyCount = Int(try reader.u32("property count"))
        guard propertyCount <= reader.remaining / 4 else {
            throw site.error(
                .invalid("header metadata: \(propertyCount) properties cannot fit in \(reader.remaining) bytes"))
        }
        var properties: [String: String] = [:]
        var previousKey: String?
        for _ in 0..<propertyCount {
            let key = try reader.string("property key")
            if let previousKey, !previousKey.utf8.lexicographicallyPrecedes(key.utf8) {
                throw site.error(
                    .invalid("header metadata: property keys are not in strictly increasing order at \"\(key)\""))
            }
            properties[key] = try reader.string("property \(key)")
            previousKey = key
        }

        let instanceCount = Int(try reader.u32("instance count"))
        let smallestInstance = 3 * 2 + 16 + 2 + 1 + 4 + 16
        guard instanceCount <= reader.remaining / smallestInstance else {
            throw site.error(
                .invalid("header metadata: \(instanceCount) instances cannot fit in \(reader.remaining) bytes"))
        }
        var instances: [InstanceInfo] = []
        var datasetLengths: [Int] = []
        for index in 0..<instanceCount {
            let sopInstance = try reader.string("instance \(index) SOP instance UID")
            let sopClass = try reader.string("instance \(index) SOP class UID")
            let transferSyntax = try reader.string("instance \(index) transfer syntax UID")
            let rows = Int(try reader.u16("instance \(index) rows"))
            let columns = Int(try reader.u16("instance \(index) columns"))
            let frames = Int(try reader.u32("instance \(index) frames"))
            let bitsAllocated = Int(try reader.u16("instance \(index) bits allocated"))
            let bitsStored = Int(try reader.u16("instance \(index) bits stored"))
            let highBit = Int(try reader.u16("instance \(index) high bit"))
            let pixelRepresentation = Int(try reader.u16("instance \(index) pixel representation"))
            let photometric = try reader.string("instance \(index) photometric interpretation")
            let hasPadding = try reader.u8("instance \(index) padding flag")
            let padding = Int32(bitPattern: try reader.u32("instance \(index) pixel padding value"))
            guard hasPadding <= 1, hasPadding == 1 || padding == 0 else {
                throw site.error(
                    .invalid("header metadata: instance \(index) padding flag \(hasPadding) with value \(padding)"))
            }
            let pixelBytes = try reader.u64("instance \(index) pixel data byte count")
            let datasetLength = try reader.u64("instance \(index) header dataset length")
            guard pixelBytes <= UInt64(Int.max), datasetLength <= UInt64(OctzFormat.maximumHeaderDatasetBytes) else {
                throw site.error(
                    .limitExceeded(
                        "header metadata: instance \(index) declares \(pixelBytes) pixel bytes and a \(datasetLength)-byte header dataset"
                    ))
            }
            instances.append(
                InstanceInfo(
                    sopInstanceUID: sopInstance, sopClassUID: sopClass, transferSyntaxUID: transferSyntax,
                    geometry: PixelGeometry(
                        rows: rows, columns: columns, frames: frames, bitsAllocated: bitsAllocated,
                        bitsStored: bitsStored, highBit: highBit,
                        pixelRepresentation: pixelRepresentation,
                        photometricInterpretation: photometric,
                        pixelPaddingValue: hasPadding == 1 ? padding : nil),
                    pixelDataByteCount: Int(pixelBytes), headerDataset: []))
            datasetLengths.append(Int(datasetLength))
        }
        try reader.expectEnd()

        let header = ContainerHeader(
            toolVersion: toolVersion, profileName: profileName, profileWeightsSHA256: digest,
            studyInstanceUID: study, seriesInstanceUID: series, patientID: patient,
            properties: properties, instances: instances)
        if let violation = header.violation() {
            throw site.error(.invalid("header: \(violation)"))
        }
        guard datasetLengths.reduce(0, +) <= OctzFormat.maximumHeaderDatasetBytes else {
            throw site.error(
                .limitExceeded("the header datasets total more than \(OctzFormat.maximumHeaderDatasetBytes) bytes"))
        }
        return (header, datasetLengths)
    }

    /// Cuts `datasets` (exactly the lengths' total) into the instances' header datasets.
    mutating func attachDatasets(_ datasets: [UInt8], lengths: [Int]) {
        var start = 0
        for (index, length) in lengths.enumerated() {
            instances[index].headerDataset = Array(datasets[start..<(start + length)])
            start += length
        }
    }
}
