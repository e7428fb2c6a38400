import Foundation

/// The fidelity report of `octarc verify`: one entry per restored frame and a summary.
///
/// Retina metrics compare the restored frame with the original as stored, inside the retina region
/// (ILM − 16 to BM + 32 of the original's segmentation, padding excluded): what a reader of the
/// restored DICOM sees, and what pass/fail rests on, with the retinal thickness error. ROI metrics
/// compare the preprocessed ROI band of the original (what the codec was given: despeckled,
/// flattened, frame-width columns) with the same band cut from the restored frame (the paper's
/// setting; only what the codec was asked to keep). Frame metrics compare whole frames, padding
/// excluded. Data range 2^BitsStored − 1.
public struct VerifyReport: Codable, Sendable {
    public struct Frame: Codable, Sendable {
        /// SOP Instance UID of the original instance.
        public var sopInstanceUID: String
        /// 1-based frame number.
        public var frame: Int
        public var msssimROI: Double
        public var ssimROI: Double
        public var psnrROI: Double
        public var msssimFrame: Double
        public var ssimFrame: Double
        public var psnrFrame: Double
        /// Mean and max |row difference| of the ILM / BM found on the restored frame vs the original
        /// (nil when no retina was found on the original).
        public var ilmShiftPx: Double?
        public var ilmShiftMaxPx: Double?
        public var bmShiftPx: Double?
        public var bmShiftMaxPx: Double?
        /// How far the ILM / BM moved as curves: the largest distance (px) from a point of either
        /// boundary, traced as a connected curve, to the other (`BoundaryDistance`). Where a boundary
        /// goes down a near-vertical wall (the optic cup) a column's row difference measures the
        /// wall's steepness, not the movement; this does not. Nil when no retina was found.
        public var ilmDistancePx: Double?
        public var bmDistancePx: Double?
        /// Whether the frame was coded as an ROI band (false: whole frame).
        public var roiBand: Bool
        /// Bytes of the frame's container record and of its bitstream (nil for restored DICOM).
        public var recordBytes: Int?
        public var bitstreamBytes: Int?
        /// Frame pixel bits / this frame's record bytes (the record only).
        public var recordCR: Double?
        /// ROI band pixels x bits per pixel / bitstream bits.
        public var entropyCodedCR: Double?
        public var belowFloor: Bool
        /// MS-SSIM and PSNR against the original in the retina region (the whole frame when no
        /// retina was found: `retinaFound` false).
        public var msssimRetina: Double?
        public var psnrRetina: Double?
        public var retinaFound: Bool?
        /// The original's noise σ as a fraction of the data range (`NoiseEstimate`, in the retina).
        public var noiseSigma: Double?
        /// |thickness (BM − ILM) restored − original| per column: mean and max, in pixels and in µm
        /// (from Pixel Spacing; nil when the original has none), and the columns of the max.
        public var thicknessErrorPx: Double?
        public var thicknessErrorMaxPx: Double?
        public var thicknessErrorUm: Double?
        public var thicknessErrorMaxUm: Double?
        public var thicknessErrorMaxColumns: String?
        /// The original has a retina and the restored frame shows none.
        public var thicknessLost: Bool?
        /// Blobs of a cyst's and of a focus's size that the restored frame shows inside the retina
        /// (ILM .. BM) and the original does not (`FalseLesions`); per size ("cyst 3x5": count) and in
        /// all. Reported, not a floor. Nil when no retina was found on the original.
        public var falseLesions: [String: Int]?
        public var falseCysts: Int?
        public var falseFoci: Int?
        /// Why the frame fails verify (empty: it passes).
        public var belowFloorReasons: [String] = []

        /// The profile the frame was coded with; its floors are the ones `belowFloor` applies.
        public var profile: String? = nil

        enum CodingKeys: String, CodingKey {
            case frame, profile
            case msssimRetina = "msssim_retina"
            case psnrRetina = "psnr_retina"
            case retinaFound = "retina_found"
            case noiseSigma = "noise_sigma"
            case thicknessErrorPx = "thickness_error_px"
            case thicknessErrorMaxPx = "thickness_error_max_px"
            case thicknessErrorUm = "thickness_error_um"
            case thicknessErrorMaxUm = "thickness_error_max_um"
            case thicknessErrorMaxColumns = "thickness_error_max_columns"
            case thicknessLost = "thickness_lost"
            case falseLesions = "false_lesions"
            case falseCysts = "false_cysts"
            case falseFoci = "false_foci"
            case belowFloorReasons = "below_floor_reasons"
            case sopInstanceUID = "sop_instance_uid"
            case msssimROI = "msssim_roi"
            case ssimROI = "ssim_roi"
            case psnrROI = "psnr_roi"
            case msssimFrame = "msssim_frame"
            case ssimFrame = "ssim_frame"
            case psnrFrame = "psnr_frame"
            case ilmShiftPx = "ilm_shift_px"
            case ilmShiftMaxPx = "ilm_shift_max_px"
            case bmShiftPx = "bm_shift_px"
            case bmShiftMaxPx = "bm_shift_max_px"
            case ilmDistancePx = "ilm_distance_px"
            case bmDistancePx = "bm_distance_px"
            case roiBand = "roi_band"
            case recordBytes = "record_bytes"
            case bitstreamBytes = "bitstream_bytes"
            case recordCR = "record_cr"
            case entropyCodedCR = "entropy_coded_cr"
            case belowFloor = "below_floor"
        }
    }

    public struct Summary: Codable, Sendable {
        public var frames: Int
        public var profile: String
        /// Original Pixel Data bytes / stored bytes (containers, everything counted; for restored
        /// DICOM, the Lossy Image Compression Ratio it records).
        public var storedCR: Double
        /// The paper's eq. 1 at the originals' bit depth.
        public var codecCR: Double
        public var entropyCodedCR: Double?
        public var msssimROIMean: Double
        public var msssimROIMin: Double
        public var msssimFrameMean: Double
        public var psnrROIMean: Double
        public var psnrFrameMean: Double
        public var ssimROIMean: Double
        public var ssimFrameMean: Double
        public var ilmShiftPxMean: Double?
        public var bmShiftPxMean: Double?
        public var ilmShiftPxMax: Double?
        public var bmShiftPxMax: Double?
        public var framesROIBand: Int
        /// The profile's per-frame MS-SSIM (ROI) floor, and how many frames fell below it.
        public var floorMSSSIMROI: Double
        public var framesBelowFloor: Int
        /// Against the original in the retina region (the headline), and the thickness error.
        public var msssimRetinaMean: Double?
        public var msssimRetinaMin: Double?
        public var psnrRetinaMean: Double?
        public var thicknessErrorUmMean: Double?
        public var thicknessErrorUmMax: Double?
        public var thicknessErrorPxMean: Double?
        public var thicknessErrorPxMax: Double?
        /// False lesions (cysts and foci the restored frames show and the originals do not) per frame,
        /// and the most in one frame.
        public var falseCystsPerFrame: Double?
        public var falseFociPerFrame: Double?
        public var falseLesionsMaxFrame: Int?
        /// The largest ILM / BM curve distance of any frame (`Frame.ilmDistancePx`).
        public var ilmDistancePxMax: Double? = nil
        public var bmDistancePxMax: Double? = nil
        /// The rule frames were held to.
        public var floors: VerifyFloors?

        enum CodingKeys: String, CodingKey {
            case frames, profile, floors
            case msssimRetinaMean = "msssim_retina_mean"
            case msssimRetinaMin = "msssim_retina_min"
            case psnrRetinaMean = "psnr_retina_mean"
            case thicknessErrorUmMean = "thickness_error_um_mean"
            case thicknessErrorUmMax = "thickness_error_um_max"
            case thicknessErrorPxMean = "thickness_error_px_mean"
            case thicknessErrorPxMax = "thickness_error_px_max"
            case falseCystsPerFrame = "false_cysts_per_frame"
            case falseFociPerFrame = "false_foci_per_frame"
            case falseLesionsMaxFrame = "false_lesions_max_frame"
            case ilmDistancePxMax = "ilm_distance_px_max"
            case bmDistancePxMax = "bm_distance_px_max"
            case storedCR = "stored_cr"
            case codecCR = "codec_cr"
            case entropyCodedCR = "entropy_coded_cr"
            case msssimROIMean = "msssim_roi_mean"
            case msssimROIMin = "msssim_roi_min"
            case msssimFrameMean = "msssim_frame_mean"
            case psnrROIMean = "psnr_roi_mean"
            case psnrFrameMean = "psnr_frame_mean"
            case ssimROIMean = "ssim_roi_mean"
            case ssimFrameMean = "ssim_frame_mean"
            case ilmShiftPxMean = "ilm_shift_px_mean"
            case bmShiftPxMean = "bm_shift_px_mean"
            case ilmShiftPxMax = "ilm_shift_px_max"
            case bmShiftPxMax = "bm_shift_px_max"
            case framesROIBand = "frames_roi_band"
            case floorMSSSIMROI = "floor_msssim_roi"
            case framesBelowFloor = "frames_below_floor"
        }
    }

    /// An original instance with no restored counterpart.
    public struct Missing: Codable, Sendable, Equatable {
        public var sopInstanceUID: String
        public var seriesInstanceUID: String
        public var path: String
        public var frames: Int

        enum CodingKeys: String, CodingKey {
            case path, frames
            case sopInstanceUID = "sop_instance_uid"
            case seriesInstanceUID = "series_instance_uid"
        }
    }

    public var summary: Summary
    public var frames: [Frame]
    /// Restored or original items that could not be compared, and why.
    public var problems: [String]
    /// Original instances that nothing restored pairs with.
    public var missing: [Missing] = []

    /// Whether the restored set passes: every original has a restored counterpart, every frame was
    /// compared without a problem, at least one frame was compared, and none fell below the floor.
    public var passed: Bool {
        problems.isEmpty && missing.isEmpty && !frames.isEmpty && summary.framesBelowFloor == 0
    }
}

extension VerifyReport.Summary {
    /// The summary of `frames`.
    init(frames: [VerifyReport.Frame], profile: String, storedCR: Double, codecCR: Double, floors: VerifyFloors) {
        func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
        func finiteMean(_ values: [Double]) -> Double { mean(values.filter(\.isFinite)) }
        func optionalMean(_ values: [Double]) -> Double? { values.isEmpty ? nil : finiteMean(values) }
        let entropy = frames.compactMap(\.entropyCodedCR)
        let ilm = frames.compactMap(\.ilmShiftPx)
        let bm = frames.compactMap(\.bmShiftPx)
        self.init(
            frames: frames.count, profile: profile, storedCR: storedCR, codecCR: codecCR,
            entropyCodedCR: entropy.isEmpty ? nil : Double(entropy.count) / entropy.reduce(0) { $0 + 1 / $1 },
            msssimROIMean: mean(frames.map(\.msssimROI)), msssimROIMin: frames.map(\.msssimROI).min() ?? .nan,
            msssimFrameMean: mean(frames.map(\.msssimFrame)), psnrROIMean: finiteMean(frames.map(\.psnrROI)),
            psnrFrameMean: finiteMean(frames.map(\.psnrFrame)), ssimROIMean: mean(frames.map(\.ssimROI)),
            ssimFrameMean: mean(frames.map(\.ssimFrame)),
            ilmShiftPxMean: ilm.isEmpty ? nil : mean(ilm), bmShiftPxMean: bm.isEmpty ? nil : mean(bm),
            ilmShiftPxMax: frames.compactMap(\.ilmShiftMaxPx).max(),
            bmShiftPxMax: frames.compactMap(\.bmShiftMaxPx).max(),
            framesROIBand: frames.count { $0.roiBand }, floorMSSSIMROI: floors.msssimROI,
            framesBelowFloor: frames.count { $0.belowFloor },
            msssimRetinaMean: optionalMean(frames.compactMap(\.msssimRetina)),
            msssimRetinaMin: frames.compactMap(\.msssimRetina).min(),
            psnrRetinaMean: optionalMean(frames.compactMap(\.psnrRetina)),
            thicknessErrorUmMean: optionalMean(frames.compactMap(\.thicknessErrorUm)),
            thicknessErrorUmMax: frames.compactMap(\.thicknessErrorMaxUm).max(),
            thicknessErrorPxMean: optionalMean(frames.compactMap(\.thicknessErrorPx)),
            thicknessErrorPxMax: frames.compactMap(\.thicknessErrorMaxPx).max(),
            falseCystsPerFrame: optionalMean(frames.compactMap(\.falseCysts).map(Double.init)),
            falseFociPerFrame: optionalMean(frames.compactMap(\.falseFoci).map(Double.init)),
            falseLesionsMaxFrame: frames.compactMap { f in f.falseCysts.map { $0 + (f.falseFoci ?? 0) } }.max(),
            floors: floors)
        ilmDistancePxMax = frames.compactMap(\.ilmDistancePx).max()
        bmDistancePxMax = frames.compactMap(\.bmDistancePx).max()
    }
}
