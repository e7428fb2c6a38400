import Foundation
import Neural

/// The parts of a profile folder (`profile.json`, weights, optional `reference.safetensors`) that the
/// Neural tests need. The Codec module owns the full `Profile` type.
struct ProfileFolder {
    struct Document: Decodable {
        struct Weights: Decodable {
            var file: String
            var sha256: String
        }
        struct QuantizerSettings: Decodable {
            var centers: [Float]
        }
        var name: String
        var weights: Weights
        var quantizer: QuantizerSettings
        var encoder: GraphDescription
        var decoder: GraphDescription
    }

    let url: URL
    let document: Document

    init(_ url: URL) throws {
        self.url = url
        let json = try Data(contentsOf: url.appendingPathComponent("profile.json"))
        document = try JSONDecoder().decode(Document.self, from: json)
    }

    var name: String { document.name }
    var referenceURL: URL { url.appendingPathComponent("reference.safetensors") }
    var hasReference: Bool { FileManager.default.fileExists(atPath: referenceURL.path) }

    func weights() throws -> SafeTensors {
        try SafeTensors(contentsOf: url.appendingPathComponent(document.weights.file))
    }

    /// The encoder on oneDNN and the decoder on `decoderBackend` (the exact kernels, as Codec runs it).
    func networks(
        threads: Int = 1, decoderBackend: Network.Backend = .exact()
    ) throws -> (
        encoder: Network, decoder: Network
    ) {
        let weights = try weights()
        return (
            try Network(graph: document.encoder, weights: weights, name: "\(name) encoder", threads: threads),
            try Network(
                graph: document.decoder, weights: weights, name: "\(name) decoder", threads: threads,
                backend: decoderBackend)
        )
    }

    func quantizer() throws -> Quantizer { try Quantizer(centers: document.quantizer.centers) }

    /// Profile folders (those holding a profile.json) directly inside `directory`, sorted.
    static func all(in directory: URL) -> [URL] {
        let children =
            (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        return children.filter {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("profile.json").path)
        }
        .sorted { $0.path < $1.path }
    }
}

extension SafeTensors {
    /// Tensor `name`, stored channels last with shape [height, width, channels].
    func tensor(_ name: String) throws -> Tensor {
        let shape = try self.shape(name)
        guard shape.count == 3 else { throw NeuralError.shapeMismatch("\(name): shape \(shape) is not [h, w, c]") }
        return try Tensor(shape: TensorShape(channels: shape[2], height: shape[0], width: shape[1]), data: floats(name))
    }
}
