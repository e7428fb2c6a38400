/// The settings of the preprocessing stage that a profile fixes: despeckling, the ROI band's
/// margins and size. Codable with snake_case keys, so a profile.json can embed it.
///
/// ```json
/// {"despeckle": {"method": "gaussian", "strength": 2, "horizontal_ratio": 3},
///  "band_height": 256, "top_margin": 16, "bottom_margin": 32, "size_multiple": 32}
/// ```
public struct PreprocessingParameters: Codable, Sendable, Equatable {
    /// How the frame is despeckled before it is cut into a band.
    public var despeckle: DespeckleParameters
    /// Rows of the band the codec codes; a retina taller than this gets a band of the next
    /// multiple of `sizeMultiple` rows instead (recorded in the ROI record), never a cut.
    public var bandHeight: Int
    /// Rows kept above the ILM.
    public var topMargin: Int
    /// Rows kept below Bruch's membrane: the lower boundary of the ROI (the paper's LBM) is
    /// BM + `bottomMargin`.
    public var bottomMargin: Int
    /// The codec's size granularity: band width and whole-frame sizes are padded to multiples of it.
    public var sizeMultiple: Int
    /// Margins in physical units (µm along the A-scan, from Pixel Spacing): where a frame's row
    /// spacing is known, the band keeps at least this much above the ILM (the posterior hyaloid,
    /// epiretinal membranes) and below Bruch's membrane (the choroid). The row margins above stay the
    /// minimum. Nil in profiles made before these existed.
    public var topMarginMicrometres: Double?
    public var bottomMarginMicrometres: Double?

    public init(
        despeckle: DespeckleParameters = .init(), bandHeight: Int = 256, topMargin: Int = 16,
        bottomMargin: Int = 32, sizeMultiple: Int = 32
    ) {
        self.despeckle = despeckle
        self.bandHeight = bandHeight
        self.topMargin = topMargin
        self.bottomMargin = bottomMargin
        self.sizeMultiple = sizeMultiple
    }

    /// The margins in rows for a frame whose rows are `rowSpacingMicrometres` apart (nil: unknown).
    public func margins(rowSpacingMicrometres: Double?) -> (top: Int, bottom: Int) {
        guard let spacing = rowSpacingMicrometres, spacing > 0, spacing.isFinite else {
            return (topMargin, bottomMargin)
        }
        func rows(_ micrometres: Double?) -> Int { micrometres.map { Int(($0 / spacing).rounded(.up)) } ?? 0 }
        return (max(topMargin, rows(topMarginMicrometres)), max(bottomMargin, rows(bottomMarginMicrometres)))
    }

    enum CodingKeys: String, CodingKey {
        case despeckle
        case bandHeight = "band_height"
        case topMargin = "top_margin"
        case bottomMargin = "bottom_margin"
        case sizeMultiple = "size_multiple"
        case topMarginMicrometres = "top_margin_um"
        case bottomMarginMicrometres = "bottom_margin_um"
    }
}

/// Despeckling method and strength.
public struct DespeckleParameters: Codable, Sendable, Equatable {
    public enum Method: String, Codable, Sendable, CaseIterable {
        /// No filtering.
        case none
        /// Gaussian blur, σ = `strength` rows down and `strength` x `horizontalRatio` columns across.
        case gaussian
        /// 3 x 3 median, then the Gaussian above.
        case medianGaussian = "median_gaussian"
        /// Guided filter (He et al. 2013) steered by the Gaussian-blurred frame: edge-preserving.
        case guided
        /// Bilateral filter whose range σ is `noiseMultiple` x the frame's own noise σ
        /// (`NoiseEstimate`), over a (2·`radiusY`+1) x (2·`radiusX`+1) window: as strong as each
        /// frame's speckle needs (none for a scanner-averaged export), keeping edges of a few noise
        /// σ — cysts, bright foci, the IS/OS line.
        case adaptiveBilateral = "adaptive_bilateral"
    }

    public var method: Method
    /// Vertical Gaussian σ in pixels; 0 disables the Gaussian.
    public var strength: Float
    /// Horizontal σ over vertical σ (retinal layers run across the frame, so speckle can be
    /// averaged harder along them).
    public var horizontalRatio: Float
    /// `adaptive_bilateral`: range σ over the frame's noise σ (default 2).
    public var noiseMultiple: Float?
    /// `adaptive_bilateral`: window half-height and half-width in pixels (defaults 2 and 4).
    public var radiusY: Int?
    public var radiusX: Int?

    public init(
        method: Method = .gaussian, strength: Float = 2, horizontalRatio: Float = 3,
        noiseMultiple: Float? = nil, radiusY: Int? = nil, radiusX: Int? = nil
    ) {
        self.method = method
        self.strength = strength
        self.horizontalRatio = horizontalRatio
        self.noiseMultiple = noiseMultiple
        self.radiusY = radiusY
        self.radiusX = radiusX
    }

    /// The lesion-preserving default of new profiles: adaptive bilateral, 2 σ, 5 x 9 window.
    public static let adaptive = DespeckleParameters(
        method: .adaptiveBilateral, strength: 0, horizontalRatio: 1,
        noiseMultiple: 2, radiusY: 2, radiusX: 4)

    enum CodingKeys: String, CodingKey {
        case method
        case strength
        case horizontalRatio = "horizontal_ratio"
        case noiseMultiple = "noise_multiple"
        case radiusY = "radius_y"
        case radiusX = "radius_x"
    }
}
