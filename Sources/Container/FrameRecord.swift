/// One frame's stored data. The container does not interpret `roi` or `bitstream`: the codec and
/// preprocessing stages write and read them.
public struct FrameRecord: Equatable, Sendable {
    /// Index into ``ContainerHeader/instances``.
    public var instanceIndex: Int
    /// 0-based frame within the instance.
    public var frameIndex: Int
    /// The mode byte of a format-version-1 record; nil in later versions, which dropped it because the
    /// ROI record already says how the frame was coded (one truth instead of two that can disagree).
    public internal(set) var version1Mode: FrameMode?
    /// The ROI record (band geometry and whatever restoring the frame needs besides the bitstream).
    public var roi: [UInt8]
    /// The entropy-coded latents.
    public var bitstream: [UInt8]
    /// A checksum of the original frame's pixels (conventionally ``CRC32C`` of the stored pixel bytes),
    /// for checking that originals given to `verify` are the ones that were compressed.
    public var pixelChecksum: UInt32?

    public init(instanceIndex: Int, frameIndex: Int, roi: [UInt8], bitstream: [UInt8], pixelChecksum: UInt32? = nil) {
        self.instanceIndex = instanceIndex
        self.frameIndex = frameIndex
        self.version1Mode = nil
        self.roi = roi
        self.bitstream = bitstream
        self.pixelChecksum = pixelChecksum
    }
}

/// How a frame was coded, as one byte that format version 1 stored in every record (opaque to the
/// container).
public struct FrameMode: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The retina band between the segmented boundaries was coded; the rest is background.
    public static let roiBand = FrameMode(rawValue: 0)
    /// The whole frame was coded.
    public static let wholeFrame = FrameMode(rawValue: 1)
}

/// Where a record lies in the container, from the footer index.
public struct RecordLocation: Equatable, Sendable {
    public let instanceIndex: Int
    public let frameIndex: Int
    /// Byte offset of the record section in the file.
    public let offset: Int
    /// Bytes of the record section, framing included.
    public let length: Int
    /// Bytes of the ROI's zstd frame within the record (0 when the ROI is empty).
    let roiFrameLength: Int
}
