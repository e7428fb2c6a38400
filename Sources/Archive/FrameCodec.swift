import Codec
import Container
import DICOM
import Imaging
import Preprocessing

/// One frame through the codec and back: normalize, mark padding, despeckle, segment, cut the ROI
/// band, encode; and decode, put the band back into a frame of the original geometry, restore padding.
///
/// Frames are coded independently and deterministically, so frames can run in parallel and the output
/// does not depend on how many run at once.
public struct FrameCodec: Sendable {
    public let profile: Profile

    public init(profile: Profile) {
        self.profile = profile
    }

    /// A coded frame, ready to become a container record.
    public struct Coded: Sendable {
        /// The ROI record: band geometry, and whether the band or the whole frame was coded.
        public var roi: [UInt8]
        public var bitstream: [UInt8]
    }

    /// Intensities of a frame as the codec sees them (``FrameGeometry/intensities(of:)``).
    public static func intensities(_ frame: Image<UInt16>, geometry: FrameGeometry) -> Image<Float> {
        geometry.intensities(of: frame)
    }

    /// Stored values of restored intensities (``FrameGeometry/storedValues(of:)``).
    public static func storedValues(_ intensities: Image<Float>, geometry: FrameGeometry) -> Image<UInt16> {
        geometry.storedValues(of: intensities)
    }

    /// The pixels outside the scan: runs of the padding intensity (``FrameGeometry/paddingIntensity``)
    /// that touch the top or bottom edge. Restore gives these pixels back exactly, so marking a genuine
    /// white pixel at the border as padding loses nothing.
    public static func padding(_ frame: Image<Float>, geometry: FrameGeometry) -> (mask: PaddingMask?, value: Float) {
        guard let value = geometry.paddingIntensity else { return (nil, 0) }
        return (PaddingMask.edgeRuns(of: value, in: frame), value)
    }

    /// Preprocesses a frame as convert does (the reference that ROI metrics compare against).
    /// `rowSpacingMicrometres` (Pixel Spacing) sizes margins a profile gives in µm.
    public func analyze(
        _ frame: Image<UInt16>, geometry: FrameGeometry, rowSpacingMicrometres: Double? = nil
    ) -> FrameAnalysis {
        let intensities = Self.intensities(frame, geometry: geometry)
        return profile.preprocessor.analyze(
            intensities, padding: Self.padding(intensities, geometry: geometry).mask,
            rowSpacingMicrometres: rowSpacingMicrometres)
    }

    /// Codes one frame.
    public func encode(
        _ frame: Image<UInt16>, geometry: FrameGeometry, rowSpacingMicrometres: Double? = nil
    ) throws -> Coded {
        let analysis = analyze(frame, geometry: geometry, rowSpacingMicrometres: rowSpacingMicrometres)
        let coded = try profile.encode(analysis.band)
        return Coded(roi: ROIRecord.encode(analysis.geometry), bitstream: coded.bitstream)
    }

    /// The ROI geometry a record carries. Its mode (band or whole frame) is the frame's mode; a
    /// format-version-1 record also stored the mode apart, and the two must agree.
    public static func roiGeometry(of record: FrameRecord) throws -> ROIGeometry {
        let geometry = try ROIRecord.decode(record.roi)
        if let mode = record.version1Mode, (geometry.mode == .band) != (mode == .roiBand) {
            throw ArchiveError.corruptRecord(
                "ROI record mode \(geometry.mode) disagrees with the record's mode \(mode.rawValue)")
        }
        return geometry
    }

    /// Decodes a record into restored intensities of the frame's geometry (before rounding to stored
    /// values) and the decoded band.
    public func decodeIntensities(
        _ record: FrameRecord, geometry: FrameGeometry
    ) throws -> (frame: Image<Float>, band: Image<Float>, roi: ROIGeometry) {
        let roi = try Self.roiGeometry(of: record)
        guard roi.frameWidth == geometry.columns, roi.frameHeight == geometry.rows else {
            throw ArchiveError.corruptRecord(
                "ROI record is for \(roi.frameHeight)x\(roi.frameWidth) frames, the instance has \(geometry.rows)x\(geometry.columns)"
            )
        }
        let band = try profile.decode(record.bitstream, width: roi.bandWidth, height: roi.bandHeight)
        return (roi.insertBand(band), band, roi)
    }

    /// Decodes a record into a frame of stored values.
    public func decode(_ record: FrameRecord, geometry: FrameGeometry) throws -> Image<UInt16> {
        Self.storedValues(try decodeIntensities(record, geometry: geometry).frame, geometry: geometry)
    }
}
