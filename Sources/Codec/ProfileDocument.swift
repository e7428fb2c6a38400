import Neural
import Preprocessing

/// The contents of a profile's `profile.json`, as `Profiles/FORMAT.md` specifies them.
public struct ProfileDocument: Codable, Sendable {
    public static let format = "octarc-profile"
    public static let supportedVersions = 1...2

    public struct Weights: Codable, Sendable {
        public var file: String
        /// SHA-256 of the weights file, 64 lowercase hex digits.
        public var sha256: String
    }

    public struct Architecture: Codable, Sendable {
        public var name: String
        /// The encoder's widths, and the decoder's unless `decoderWidths` says otherwise.
        public var widths: [Int]
        /// The decoder's own widths, where it was trained narrower than the encoder that feeds it.
        public var decoderWidths: [Int]?
        public var latentChannels: [Int]
        public var levels: Int

        enum CodingKeys: String, CodingKey {
            case name, widths, levels
            case decoderWidths = "decoder_widths"
            case latentChannels = "latent_channels"
        }
    }

    public struct QuantizerSettings: Codable, Sendable {
        public var levels: Int
        public var centers: [Float]
    }

    /// A quantized latent tensor: `channels` planes at 1/`stride` of the input's size.
    public struct Latent: Codable, Sendable {
        public var name: String
        public var channels: Int
        public var stride: Int
    }

    public struct Entropy: Codable, Sendable {
        /// Context models the entropy coder knows (Sources/EntropyCoding/BITSTREAM.md).
        public enum ContextKind: String, Codable, Sendable {
            /// One table per channel and context of the left, upper and previous-channel neighbours;
            /// the raw counts are the weights file's I32 tensors `entropy.<latent>` (C x 125 x L), so the
            /// weights' SHA-256, which every container records, pins the tables too.
            case neighbours = "neighbours-v1"
        }

        /// Per latent, per channel, how often each symbol occurred on the training set.
        public var counts: [String: [[UInt32]]]
        /// When present, latents are coded with context tables instead of `counts` (bitstream version 2).
        public var context: ContextKind?

        /// The weights-file tensor holding a latent's context counts.
        public static func contextTensorName(latent: String) -> String { "entropy.\(latent)" }
    }

    public struct Floors: Codable, Sendable {
        /// Noise σ (fraction of the data range) above which an original counts as noisy: 8 grey
        /// levels of 255. Scanner-averaged exports measure 1–4, single B-scans 20–30.
        public static let noisyOriginalSigma = 8.0 / 255

        /// Every frame's MS-SSIM against its preprocessed ROI must reach this (profiles without the
        /// retina floors below; else reported only).
        public var msssimROI: Double
        /// Every frame's MS-SSIM against the original in the retina region must reach this; for a
        /// noisy original (noise σ above `noisyOriginalSigma` of the data range, e.g. a single
        /// Bioptigen B-scan) `msssimRetinaNoisy` instead, since fidelity to speckle is not the goal.
        public var msssimRetina: Double?
        public var msssimRetinaNoisy: Double?
        /// Every frame's mean retinal thickness error (BM − ILM, restored vs original) must stay
        /// within this many µm.
        public var thicknessErrorMicrometres: Double?

        enum CodingKeys: String, CodingKey {
            case msssimROI = "msssim_roi"
            case msssimRetina = "msssim_retina"
            case msssimRetinaNoisy = "msssim_retina_noisy"
            case thicknessErrorMicrometres = "thickness_error_um"
        }
    }

    public var format: String
    public var formatVersion: Int
    public var name: String
    public var description: String
    public var targetStoredCR: Double
    public var weights: Weights
    public var architecture: Architecture
    public var inputMultiple: Int
    public var preprocessing: PreprocessingParameters
    public var quantizer: QuantizerSettings
    public var latents: [Latent]
    public var encoder: GraphDescription
    public var decoder: GraphDescription
    public var entropy: Entropy
    public var floors: Floors
    /// Dev-set measurements written by `Scripts/training/evaluate.py`.
    public var measured: JSONValue?
    /// How the profile was trained (steps, hardware, wall time, seed, data, command).
    public var training: JSONValue?

    enum CodingKeys: String, CodingKey {
        case format, name, description, weights, architecture, preprocessing, quantizer, latents
        case encoder, decoder, entropy, floors, measured, training
        case formatVersion = "format_version"
        case targetStoredCR = "target_stored_cr"
        case inputMultiple = "input_multiple"
    }
}
