import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a `.octz` container as records arrive, in (instance, frame) order.
///
/// Each record is compressed and written at once, so memory does not grow with the number of frames
/// (beyond 24 bytes of index per frame). The file is written under a hidden temporary name in the
/// destination's directory and renamed into place by ``finish()``; a writer that fails or is released
/// before finishing removes its temporary file, so an unfinished container is never visible.
///
/// ```swift
/// let writer = try OctzWriter(url: destination, header: header)
/// for record in records { try writer.append(record) }
/// let accounting = try writer.finish()
/// ```
public final class OctzWriter {
    /// Writer settings.
    public struct Options: Sendable {
        /// zstd level for every frame (zstd's range, normally 1...22).
        public var compressionLevel: Int

        public init(compressionLevel: Int = 19) {
            self.compressionLevel = compressionLevel
        }
    }

    /// The container's final location.
    public let url: URL
    /// Records appended so far.
    public var recordCount: Int { locations.count }
    /// Bytes written to the temporary file so far.
    public private(set) var bytesWritten = 0

    private let framesPerInstance: [Int]
    private let compressor: Zstd.Compressor
    private let temporaryPath: String
    private var descriptor: Int32
    private var locations: [RecordLocation] = []
    private var accounting = ByteAccounting()

    /// Validates `header`, creates the temporary file and writes the preamble and header.
    public init(url: URL, header: ContainerHeader, options: Options = Options()) throws {
        self.url = url
        let site = ErrorSite(file: url.path, part: .header)
        if let violation = header.violation() {
            throw site.error(.invalidArgument(violation))
        }
        guard let compressor = Zstd.Compressor(level: options.compressionLevel) else {
            throw site.with(.file).error(
                .invalidArgument(
                    "zstd level \(options.compressionLevel) is outside \(Zstd.Compressor.levels)"))
        }
        self.compressor = compressor
        self.framesPerInstance = header.instances.map(\.geometry.frames)
        let directory = url.deletingLastPathComponent().path
        temporaryPath = "\(directory)/.\(url.lastPathComponent).\(UUID().uuidString).partial"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw site.with(.file).error(
                .io("cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))"))
        }

        let metadataFrame: [UInt8]
        let datasets = header.datasetBytes()
        let datasetsFrame: [UInt8]
        do {
            metadataFrame = try compressor.compress(header.metadataBytes())
            datasetsFrame = datasets.isEmpty ? [] : try compressor.compress(datasets)
        } catch {
            abandon()
            throw site.error(.compression(error.message))
        }
        var body = ByteWriter()
        body.u32(UInt32(metadataFrame.count))
        body.raw(metadataFrame)
        body.raw(datasetsFrame)
        accounting.fileHeader = OctzFormat.preambleSize
        accounting.addHeaderSection(metadataFrame: metadataFrame.count, datasetsFrame: datasetsFrame.count)
        try emit(
            Preamble.bytes(version: OctzFormat.currentVersion)
                + Section.framed(tag: OctzFormat.headerTag, body: body.bytes),
            site: site)
    }

    deinit {
        if descriptor >= 0 { abandon() }
    }

    /// Compresses and writes one record. A record out of (instance, frame) order, naming a frame the
    /// header does not have, or over the format's size limits is refused and the writer stays usable;
    /// a failed write ends the writer and removes its temporary file.
    public func append(_ record: FrameRecord) throws {
        let site = ErrorSite(
            file: url.path,
            part: .record(
                index: locations.count, instance: record.instanceIndex,
                frame: record.frameIndex))
        guard descriptor >= 0 else { throw site.error(.writerClosed) }
        guard locations.count < OctzFormat.maximumRecordCount else {
            throw site.error(.limitExceeded("more than \(OctzFormat.maximumRecordCount) records"))
        }
        guard framesPerInstance.indices.contains(record.instanceIndex),
            (0..<framesPerInstance[record.instanceIndex]).contains(record.frameIndex)
        else {
            throw site.error(.invalidArgument("the header has no such instance and frame"))
        }
        if let last = locations.last, (last.instanceIndex, last.frameIndex) >= (record.instanceIndex, record.frameIndex)
        {
            throw site.error(
                .invalidArgument(
                    "records must come in increasing (instance, frame) order; the previous one was instance \(last.instanceIndex), frame \(last.frameIndex)"
                ))
        }
        guard record.roi.count <= OctzFormat.maximumROIBytes, record.bitstream.count <= OctzFormat.maximumBitstreamBytes
        else {
            throw site.error(
                .limitExceeded(
                    "ROI record of \(record.roi.count) bytes, bitstream of \(record.bitstream.count) (each at most \(OctzFormat.maximumBitstreamBytes))"
                ))
        }
        let body: [UInt8]
        let roiFrameLength: Int
        do {
            (body, roiFrameLength) = try record.sectionBody(compressor: compressor)
        } catch {
            throw site.error(.compression(error.message))
        }
        let section = Section.framed(tag: OctzFormat.recordTag, body: body)
        let location = RecordLocation(
            instanceIndex: record.instanceIndex, frameIndex: record.frameIndex,
            offset: bytesWritten, length: section.count, roiFrameLength: roiFrameLength)
        try emit(section, site: site)
        locations.append(location)
        accounting.addRecord(location)
    }

    /// Writes the index and trailer, flushes the file to disk and renames it into place (replacing any
    /// file of that name). Returns where the bytes went.
    public func finish() throws -> ByteAccounting {
        let site = ErrorSite(file: url.path, part: .index)
        guard descriptor >= 0 else { throw site.error(.writerClosed) }
        var entries = ByteWriter()
        for location in locations { location.write(to: &entries) }
        let indexFrame: [UInt8]
        do {
            indexFrame = entries.bytes.isEmpty ? [] : try compressor.compress(entries.bytes)
        } catch {
            abandon()
            throw site.error(.compression(error.message))
        }
        let indexSection = Section.framed(tag: OctzFormat.indexTag, body: indexFrame)
        let trailer = Trailer(indexOffset: bytesWritten, indexLength: indexSection.count, recordCount: locations.count)
        accounting.addIndexSection(length: indexSection.count)
        try emit(indexSection + trailer.bytes, site: site)

        let fileSite = site.with(.file)
        guard fsync(descriptor) == 0 else { throw failure(fileSite, "cannot flush to disk") }
        let closed = close(descriptor)
        descriptor = -1
        guard closed == 0 else { throw failure(fileSite, "cannot close") }
        guard rename(temporaryPath, url.path) == 0 else { throw failure(fileSite, "cannot rename into place") }
        syncDirectory()
        return accounting
    }

    private func emit(_ bytes: [UInt8], site: ErrorSite) throws {
        var done = 0
        while done < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + done, bytes.count - done) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw failure(site.with(.file), "cannot write") }
            done += result
        }
        bytesWritten += bytes.count
    }

    /// Removes the temporary file after a failure and returns the error to throw.
    private func failure(_ site: ErrorSite, _ action: String) -> ContainerError {
        let error = site.error(.io("\(action) \(temporaryPath): \(String(cString: strerror(errno)))"))
        abandon()
        return error
    }

    private func abandon() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(temporaryPath)
    }

    /// Makes the rename durable; a failure here leaves a complete container, so it is not an error.
    private func syncDirectory() {
        let directory = open(url.deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }
}
