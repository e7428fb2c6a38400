import EntropyCoding
import Foundation
import Imaging
import Neural
import Preprocessing
import Support

/// A loaded, validated codec profile: its networks, quantizer, entropy tables and preprocessing.
///
/// A profile is identified by its name and the SHA-256 of its weights; both go into every container
/// written with it, and restore refuses a container whose profile does not match.
///
/// ```swift
/// let profile = try Profile.load(from: profilesFolder.appendingPathComponent("cr40"))
/// let coded = try profile.encode(band)
/// let restored = try profile.decode(coded.bitstream, width: band.width, height: band.height)
/// ```
public final class Profile: Sendable {
    public let document: ProfileDocument
    public let directory: URL
    /// SHA-256 of `weights.safetensors` (32 bytes), checked at load.
    public let weightsSHA256: [UInt8]
    public let encoder: Network
    public let decoder: Network
    public let quantizer: Quantizer
    /// One entropy model per latent, in `document.latents` order: per-channel tables, or context tables
    /// when `document.entropy.context` is set.
    public let latentModels: [LatentModel]
    public let preprocessor: Preprocessor

    public var name: String { document.name }

    /// Loads `directory/profile.json` and its weights, and checks that they agree with each other.
    /// `threads` is the thread count of each network run; `decoderInstructionSet` caps the
    /// instruction set of the exact kernels the decoder runs on (every set gives the same pixels).
    public static func load(
        from directory: URL, threads: Int = 1, decoderInstructionSet: Network.KernelInstructionSet = .avx512
    ) throws -> Profile {
        let path = directory.path
        func invalid(_ reason: String, _ cause: (any Error)? = nil) -> CodecError {
            .invalidProfile(path: path, reason: reason, cause: cause.map(ErrorCause.init))
        }
        let json: Data
        do {
            json = try Data(contentsOf: directory.appendingPathComponent("profile.json"))
        } catch {
            throw invalid("cannot read profile.json (\(error.localizedDescription))", error)
        }
        let document: ProfileDocument
        do {
            document = try JSONDecoder().decode(ProfileDocument.self, from: json)
        } catch {
            throw invalid("profile.json does not parse: \(error)", error)
        }
        try validate(document) { invalid($0) }
        let weightsURL = directory.appendingPathComponent(document.weights.file)
        let weightsData: Data
        do {
            weightsData = try Data(contentsOf: weightsURL, options: .mappedIfSafe)
        } catch {
            throw invalid("cannot read \(document.weights.file) (\(error.localizedDescription))", error)
        }
        // The codec's integrity policy: the weights must be exactly those profile.json names.
        let actual = Hex.string(SHA256.hash(weightsData))
        guard actual == document.weights.sha256.lowercased() else {
            throw invalid(
                "\(document.weights.file) has SHA-256 \(actual), profile.json expects \(document.weights.sha256)")
        }
        guard let weightsSHA256 = Hex.bytes(document.weights.sha256) else {
            throw invalid("weights.sha256 must be 64 hex digits")
        }
        let weights: SafeTensors
        do {
            weights = try SafeTensors(data: weightsData, source: weightsURL.path)
        } catch {
            throw invalid("\(error)", error)
        }
        do {
            return Profile(
                document: document, directory: directory,
                weightsSHA256: weightsSHA256,
                encoder: try Network(
                    graph: document.encoder, weights: weights, name: "\(document.name) encoder", threads: threads),
                // The decoder runs on the exact kernels: a container restores to the same pixels on
                // every CPU.
                decoder: try Network(
                    graph: document.decoder, weights: weights, name: "\(document.name) decoder", threads: threads,
                    backend: .exact(upTo: decoderInstructionSet)),
                quantizer: try Quantizer(centers: document.quantizer.centers),
                latentModels: try document.latents.map { latent in
                    try latentModel(latent, document: document, weights: weights, invalid: invalid)
                },
                preprocessor: Preprocessor(parameters: document.preprocessing))
        } catch let error as CodecError {
            throw error
        } catch {
            throw invalid("\(error)", error)
        }
    }

    private init(
        document: ProfileDocument, directory: URL, weightsSHA256: [UInt8], encoder: Network, decoder: Network,
        quantizer: Quantizer, latentModels: [LatentModel], preprocessor: Preprocessor
    ) {
        self.document = document
        self.directory = directory
        self.weightsSHA256 = weightsSHA256
        self.encoder = encoder
        self.decoder = decoder
        self.quantizer = quantizer
        self.latentModels = latentModels
        self.preprocessor = preprocessor
    }

    /// A latent's entropy model: its per-channel counts from profile.json, or its context counts from the
    /// weights file (`C x 125 x L` non-negative integers).
    private static func latentModel(
        _ latent: ProfileDocument.Latent, document: ProfileDocument, weights: SafeTensors,
        invalid: (String, (any Error)?) -> CodecError
    ) throws -> LatentModel {
        guard document.entropy.context != nil else {
            return .perChannel(try SymbolModel(counts: document.entropy.counts[latent.name] ?? []))
        }
        let name = ProfileDocument.Entropy.contextTensorName(latent: latent.name)
        let levels = document.quantizer.levels
        let shape = [latent.channels, ContextModel.contextCount, levels]
        let values: [Int32]
        do {
            guard try weights.shape(name) == shape else {
                throw invalid(
                    "\(name) in \(document.weights.file) is not \(shape.map(String.init).joined(separator: "x"))", nil)
            }
            values = try weights.int32s(name)
        } catch let error as CodecError {
            throw error
        } catch {
            throw invalid("\(document.weights.file) has no usable \(name): \(error)", error)
        }
        guard values.allSatisfy({ $0 >= 0 }) else { throw invalid("\(name) has negative counts", nil) }
        let rows = stride(from: 0, to: values.count, by: levels).map { values[$0..<$0 + levels].map { UInt32($0) } }
        let counts = stride(from: 0, to: rows.count, by: ContextModel.contextCount).map {
            Array(rows[$0..<$0 + ContextModel.contextCount])
        }
        return .context(try ContextModel(counts: counts))
    }

    /// Checks the parts of profile.json that the networks and the entropy coder do not check themselves.
    private static func validate(_ d: ProfileDocument, _ invalid: (String) -> CodecError) throws {
        guard d.format == ProfileDocument.format else {
            throw invalid("format is '\(d.format)', not '\(ProfileDocument.format)'")
        }
        guard ProfileDocument.supportedVersions.contains(d.formatVersion) else {
            throw invalid(
                "format version \(d.formatVersion) is newer than this octarc reads (\(ProfileDocument.supportedVersions))"
            )
        }
        guard (d.entropy.context != nil) == (d.formatVersion >= 2) else {
            throw invalid("entropy.context needs format version 2, and format version 2 needs entropy.context")
        }
        guard d.quantizer.levels == d.quantizer.centers.count, d.quantizer.levels >= 2 else {
            throw invalid("quantizer has \(d.quantizer.centers.count) centers for \(d.quantizer.levels) levels")
        }
        guard !d.latents.isEmpty else { throw invalid("no latents") }
        guard d.encoder.outputs == d.latents.map(\.name), d.decoder.inputs.map(\.name) == d.latents.map(\.name) else {
            throw invalid(
                "encoder outputs and decoder inputs must both be the latents \(d.latents.map(\.name)), in order")
        }
        for (latent, input) in zip(d.latents, d.decoder.inputs) {
            guard latent.channels > 0, latent.channels == input.channels else {
                throw invalid(
                    "latent \(latent.name) has \(latent.channels) channels, the decoder takes \(input.channels)")
            }
            guard latent.stride > 0, d.inputMultiple % latent.stride == 0 else {
                throw invalid(
                    "latent \(latent.name): stride \(latent.stride) does not divide input_multiple \(d.inputMultiple)")
            }
            let counts = d.entropy.counts[latent.name] ?? []
            guard counts.count == latent.channels, counts.allSatisfy({ $0.count == d.quantizer.levels }) else {
                throw invalid("entropy counts of \(latent.name) must be \(latent.channels) x \(d.quantizer.levels)")
            }
        }
        guard d.preprocessing.sizeMultiple % d.inputMultiple == 0 else {
            throw invalid(
                "preprocessing size_multiple \(d.preprocessing.sizeMultiple) is not a multiple of input_multiple \(d.inputMultiple)"
            )
        }
        guard d.weights.sha256.count == 64, Hex.bytes(d.weights.sha256) != nil else {
            throw invalid("weights.sha256 must be 64 hex digits")
        }
    }
}
