import EntropyCoding
import Foundation
import Imaging
import Neural
import Support

/// A band coded by a profile: the entropy-coded latent symbols and what they cost.
public struct EncodedBand: Sendable {
    public var bitstream: [UInt8]
    /// Symbols coded, all latents together.
    public var symbolCount: Int

    /// Coded bits per symbol (compare with the fixed-length log2 L).
    public var bitsPerSymbol: Double { symbolCount == 0 ? 0 : Double(bitstream.count * 8) / Double(symbolCount) }
}

extension Profile {
    /// Latent symbols per band pixel (the quantity behind the paper's eq. 1).
    public var symbolsPerPixel: Double {
        document.latents.reduce(0) { $0 + Double($1.channels) / Double($1.stride * $1.stride) }
    }

    /// The paper's codec compression ratio (eq. 1) for input of `bitsPerPixel` bits: input bits over
    /// latent symbols x log2 L.
    public func codecCompressionRatio(bitsPerPixel: Int) -> Double {
        Double(bitsPerPixel) / (symbolsPerPixel * log2(Double(quantizer.levels)))
    }

    /// Encodes a band (intensities 0...1; width and height multiples of `document.inputMultiple`):
    /// encoder network, quantizer, entropy coder.
    public func encode(_ band: Image<Float>) throws -> EncodedBand {
        let shapes = try latentShapes(width: band.width, height: band.height)
        let input = try Tensor(
            shape: TensorShape(channels: 1, height: band.height, width: band.width), data: band.pixels)
        let outputs = try encoder.run(["image": input])
        var tensors: [LatentTensor] = []
        for ((latent, shape), model) in zip(zip(document.latents, shapes), latentModels) {
            guard let tensor = outputs[latent.name], tensor.shape == shape else {
                throw CodecError.invalidProfile(
                    path: directory.path, reason: "encoder output \(latent.name) is not \(shape)")
            }
            tensors.append(LatentTensor(symbols: quantizer.symbols(for: tensor), width: shape.width, model: model))
        }
        return EncodedBand(
            bitstream: LatentCoder.encode(tensors), symbolCount: tensors.reduce(0) { $0 + $1.symbols.count })
    }

    /// Decodes a bitstream written by `encode` for a band of `width` x `height` pixels: entropy decoder,
    /// dequantizer, decoder network. Intensities come back clipped to 0...1.
    public func decode(_ bitstream: [UInt8], width: Int, height: Int) throws -> Image<Float> {
        let shapes = try latentShapes(width: width, height: height)
        let symbols: [[Int32]]
        do {
            symbols = try LatentCoder.decode(
                bitstream,
                tensors: zip(shapes, latentModels).map {
                    (count: $0.elementCount ?? 0, width: $0.width, model: $1)
                })
        } catch {
            throw CodecError.corruptBitstream(reason: "\(error)", cause: ErrorCause(error))
        }
        var inputs: [String: Tensor] = [:]
        for ((latent, shape), planes) in zip(zip(document.latents, shapes), symbols) {
            do {
                inputs[latent.name] = try quantizer.dequantize(planes, shape: shape)
            } catch {
                throw CodecError.corruptBitstream(reason: "latent \(latent.name): \(error)", cause: ErrorCause(error))
            }
        }
        guard let output = try decoder.run(inputs)["image"],
            output.shape == TensorShape(channels: 1, height: height, width: width)
        else {
            throw CodecError.invalidProfile(path: directory.path, reason: "decoder output is not 1x\(height)x\(width)")
        }
        return Image(width: width, height: height, pixels: output.data)
    }

    private func latentShapes(width: Int, height: Int) throws -> [TensorShape] {
        let multiple = document.inputMultiple
        guard width > 0, height > 0, width % multiple == 0, height % multiple == 0 else {
            throw CodecError.invalidBandSize(width: width, height: height, multiple: multiple)
        }
        return document.latents.map {
            TensorShape(channels: $0.channels, height: height / $0.stride, width: width / $0.stride)
        }
    }
}
