import Foundation

/// Reads a `.octz` container with random access to its frame records.
///
/// Opening checks the preamble, trailer, index and header (checksums, lengths against the file size and
/// the format's limits, record order); ``record(at:)`` reads and checks one record without touching the
/// others. Every failure is a ``ContainerError`` naming the file, the part (record, instance and frame)
/// and what is wrong. The reader is immutable and safe to share between threads.
///
/// ```swift
/// let reader = try OctzReader(url: url)
/// let record = try reader.record(at: reader.recordIndex(instance: 0, frame: 12)!)
/// ```
public final class OctzReader: Sendable {
    /// The path (or name) errors refer to.
    public let name: String
    /// The format version the container was written in.
    public let formatVersion: Int
    public let header: ContainerHeader
    /// The footer index: where each record lies, in (instance, frame) order.
    public let recordLocations: [RecordLocation]
    /// Where the file's bytes go.
    public let accounting: ByteAccounting
    /// The container's size in bytes.
    public var fileSize: Int { source.size }
    /// Records in the container.
    public var recordCount: Int { recordLocations.count }

    private let source: any ByteSource

    /// Opens the container at `url`.
    public convenience init(url: URL) throws {
        try self.init(source: FileByteSource(path: url.path), name: url.path)
    }

    /// Reads a container held in memory; `name` is what errors call it.
    public convenience init(bytes: [UInt8], name: String = "<memory>") throws {
        try self.init(source: MemoryByteSource(bytes: bytes), name: name)
    }

    private init(source: any ByteSource, name: String) throws {
        self.source = source
        self.name = name
        let site = ErrorSite(file: name, part: .preamble)
        let size = source.size
        let preamble = try source.read(offset: 0, count: min(size, OctzFormat.preambleSize), site: site)
        formatVersion = try Preamble.version(of: preamble, fileSize: size, site: site)
        // Versions 1 and 2 differ only inside record bodies (version 2 has no mode byte).
        (header, recordLocations, accounting) = try Self.open(source: source, version: formatVersion, site: site)
    }

    /// Reads and checks record `index` (0..<recordCount).
    public func record(at index: Int) throws -> FrameRecord {
        guard recordLocations.indices.contains(index) else {
            throw ErrorSite(file: name, part: .index).error(
                .invalidArgument("record \(index) requested; the container has \(recordCount)"))
        }
        let location = recordLocations[index]
        let site = ErrorSite(
            file: name,
            part: .record(
                index: index, instance: location.instanceIndex,
                frame: location.frameIndex))
        let bytes = try source.read(offset: location.offset, count: location.length, site: site)
        let body = try Section.body(of: bytes, tag: OctzFormat.recordTag, name: "record", site: site)
        return try FrameRecord.parse(bytes, body: body, version: formatVersion, location: location, site: site)
    }

    /// The position of the record for `frame` of `instance`, if the container has one.
    public func recordIndex(instance: Int, frame: Int) -> Int? {
        var low = 0
        var high = recordLocations.count
        while low < high {
            let middle = (low + high) / 2
            let location = recordLocations[middle]
            if (location.instanceIndex, location.frameIndex) < (instance, frame) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        guard low < recordLocations.count, recordLocations[low].instanceIndex == instance,
            recordLocations[low].frameIndex == frame
        else { return nil }
        return low
    }

    /// Reads and checks every record; throws the first problem.
    public func verify() throws {
        for index in recordLocations.indices {
            _ = try record(at: index)
        }
    }
}

extension OctzReader {
    /// Trailer, index, then header (whose extent the index gives), then the index against the header.
    private static func open(
        source: any ByteSource, version: Int, site: ErrorSite
    )
        throws -> (ContainerHeader, [RecordLocation], ByteAccounting)
    {
        let size = source.size
        let trailerSite = site.with(.trailer)
        let smallest = OctzFormat.preambleSize + OctzFormat.trailerSize
        let trailerBytes =
            size < smallest
            ? []
            : try source.read(
                offset: size - OctzFormat.trailerSize,
                count: OctzFormat.trailerSize, site: trailerSite)
        guard Trailer.hasMagic(trailerBytes) else {
            throw trailerSite.error(.truncated(truncationDiagnosis(source: source, site: trailerSite)))
        }
        let trailer = try Trailer(trailerBytes, fileSize: size, version: version, site: trailerSite)

        let indexSite = site.with(.index)
        guard trailer.indexLength <= OctzFormat.maximumSectionBytes else {
            throw indexSite.error(.limitExceeded("the index section is \(trailer.indexLength) bytes"))
        }
        let indexSection = try source.read(offset: trailer.indexOffset, count: trailer.indexLength, site: indexSite)
        let indexBody = try Section.body(of: indexSection, tag: OctzFormat.indexTag, name: "index", site: indexSite)
        let indexBytes = trailer.recordCount * OctzFormat.indexEntrySize
        let entries =
            indexBody.isEmpty
            ? []
            : try Zstd.decompress(
                indexSection, range: indexBody, limit: indexBytes,
                what: "the index", site: indexSite)
        guard entries.count == indexBytes else {
            throw indexSite.error(
                .invalid("the index holds \(entries.count) bytes; \(trailer.recordCount) records need \(indexBytes)"))
        }
        let locations = try RecordLocation.parseIndex(
            entries, count: trailer.recordCount, indexOffset: trailer.indexOffset,
            version: version, site: indexSite)

        let headerSite = site.with(.header)
        let headerEnd = locations.first?.offset ?? trailer.indexOffset
        let headerLength = headerEnd - OctzFormat.preambleSize
        guard headerLength >= OctzFormat.sectionFramingSize + OctzFormat.headerFieldsSize,
            headerLength <= OctzFormat.maximumSectionBytes
        else {
            throw headerSite.error(.invalid("the header section would be \(headerLength) bytes"))
        }
        let headerSection = try source.read(offset: OctzFormat.preambleSize, count: headerLength, site: headerSite)
        let headerBody = try Section.body(
            of: headerSection, tag: OctzFormat.headerTag, name: "header", site: headerSite)
        var reader = ByteReader(headerSection, range: headerBody, site: headerSite, what: "header section")
        let metadataLength = Int(try reader.u32("metadata frame length"))
        let metadataRange = try reader.skip(metadataLength, "metadata frame")
        let datasetsRange = try reader.skip(reader.remaining, "datasets frame")
        let metadata = try Zstd.decompress(
            headerSection, range: metadataRange, limit: OctzFormat.maximumMetadataBytes,
            what: "the header metadata", site: headerSite)
        var (header, datasetLengths) = try ContainerHeader.parse(metadata: metadata, site: headerSite)
        let datasetTotal = datasetLengths.reduce(0, +)
        let datasets =
            datasetsRange.isEmpty
            ? []
            : try Zstd.decompress(
                headerSection, range: datasetsRange, limit: datasetTotal, what: "the header datasets", site: headerSite)
        guard datasets.count == datasetTotal else {
            throw headerSite.error(
                .invalid("the header datasets hold \(datasets.count) bytes; the instances need \(datasetTotal)"))
        }
        header.attachDatasets(datasets, lengths: datasetLengths)
        try RecordLocation.validate(locations, header: header, site: indexSite)

        var accounting = ByteAccounting()
        accounting.fileHeader = OctzFormat.preambleSize
        accounting.addHeaderSection(metadataFrame: metadataRange.count, datasetsFrame: datasetsRange.count)
        for location in locations { accounting.addRecord(location, version: version) }
        accounting.addIndexSection(length: trailer.indexLength)
        return (header, locations, accounting)
    }

    /// Describes a container without a trailer: how far its sections go before the data stops.
    private static func truncationDiagnosis(source: any ByteSource, site: ErrorSite) -> String {
        let size = source.size
        var offset = OctzFormat.preambleSize
        var records = 0
        var sawHeader = false
        var sawIndex = false
        while !sawIndex, offset <= size - 8, let framing = try? source.read(offset: offset, count: 8, site: site) {
            var reader = ByteReader(framing, range: 4..<8, site: site, what: "section")
            guard let length = try? Int(reader.u32("length")),
                length <= size - offset - OctzFormat.sectionFramingSize
            else { break }
            let tag = Array(framing[0..<4])
            if tag == OctzFormat.headerTag && offset == OctzFormat.preambleSize {
                sawHeader = true
            } else if tag == OctzFormat.recordTag && sawHeader {
                records += 1
            } else if tag == OctzFormat.indexTag && sawHeader {
                sawIndex = true
            } else {
                break
            }
            offset += OctzFormat.sectionFramingSize + length
        }
        var found = sawHeader ? "the header, \(records) complete frame records" : "no complete header"
        if sawIndex { found += " and the index" }
        let rest = offset == size ? "nothing after them" : "then \(size - offset) bytes of an incomplete section"
        return
            "no trailer at the end of the \(size)-byte file (cut short or never finished); it holds \(found), \(rest)"
    }
}
