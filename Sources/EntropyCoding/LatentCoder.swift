/// Entropy coding of quantized latent symbols with static per-channel tables (rANS, integers only).
///
/// Symbols are laid out height, width, channel (channels last): symbol `i` of a tensor belongs to
/// channel `i % model.channelCount`. Symbols in `0..<model.levels` are coded with the channel's table;
/// any other `Int32` is coded through the escape symbol and comes back unchanged. Several tensors, each
/// with its own model, can share one bitstream; they are decoded in the order they were given.
///
/// ```swift
/// let bytes = LatentCoder.encode(symbols, model: model)
/// let decoded = try LatentCoder.decode(bytes, count: symbols.count, model: model)
/// ```
public enum LatentCoder {
    /// Codes one tensor's symbols into a self-contained bitstream.
    public static func encode(_ symbols: [Int32], model: SymbolModel) -> [UInt8] {
        encode([(symbols: symbols, model: model)])
    }

    /// Codes several tensors, each with its own model, one after the other into one bitstream.
    public static func encode(_ tensors: [(symbols: [Int32], model: SymbolModel)]) -> [UInt8] {
        var encoder = RANSEncoder(expectedSymbols: tensors.reduce(0) { $0 + $1.symbols.count })
        for tensor in tensors.reversed() {
            encoder.encode(tensor.symbols, model: tensor.model)
        }
        return encoder.finish()
    }

    /// Decodes `count` symbols of one tensor. The caller knows `count` from the tensor's shape; the
    /// bitstream must hold exactly those symbols.
    ///
    /// Throws ``EntropyCodingError`` when the bitstream is truncated, holds more than `count` symbols,
    /// or could not have been written by the encoder with this model.
    public static func decode(_ bytes: [UInt8], count: Int, model: SymbolModel) throws -> [Int32] {
        try decode(bytes, tensors: [(count: count, model: model)])[0]
    }

    /// Decodes tensors coded together by ``encode(_:)-([(symbols:model:)])``: `tensors[k].count`
    /// symbols with `tensors[k].model`, in order.
    public static func decode(
        _ bytes: [UInt8],
        tensors: [(count: Int, model: SymbolModel)]
    ) throws -> [[Int32]] {
        if let negative = tensors.firstIndex(where: { $0.count < 0 }) {
            throw EntropyCodingError.invalidRequest("tensor \(negative) has a negative symbol count")
        }
        return try bytes.withUnsafeBufferPointer { buffer throws(EntropyCodingError) in
            var decoder = try RANSDecoder(buffer)
            var decoded: [[Int32]] = []
            decoded.reserveCapacity(tensors.count)
            for tensor in tensors {
                decoded.append(try decoder.decode(count: tensor.count, model: tensor.model))
            }
            try decoder.finish()
            return decoded
        }
    }

    /// Codes tensors, each with its own model (per-channel or context tables), one after the other into one
    /// bitstream. A tensor's symbol count must be a multiple of `width` times its model's channel count.
    public static func encode(_ tensors: [LatentTensor]) -> [UInt8] {
        var encoder = RANSEncoder(expectedSymbols: tensors.reduce(0) { $0 + $1.symbols.count })
        for tensor in tensors.reversed() {
            switch tensor.model {
            case .perChannel(let model):
                encoder.encode(tensor.symbols, model: model)
            case .context(let model):
                precondition(
                    tensor.width > 0 && tensor.symbols.count % (tensor.width * model.channelCount) == 0,
                    "a tensor's symbols must fill whole rows of width x channels")
                let rows = tensor.symbols.withUnsafeBufferPointer { model.rows(of: $0, width: tensor.width) }
                encoder.encode(tensor.symbols, rows: rows, model: model.table)
            }
        }
        return encoder.finish()
    }

    /// Decodes tensors coded together by ``encode(_:)-([LatentTensor])``: `tensors[k].count` symbols of a
    /// tensor `tensors[k].width` positions wide with `tensors[k].model`, in order.
    ///
    /// Throws ``EntropyCodingError`` when a request is impossible (a negative count, or one that does not
    /// fill whole rows), the bitstream is truncated, holds more symbols, or could not have been written
    /// by the encoder with these models.
    public static func decode(
        _ bytes: [UInt8],
        tensors: [(count: Int, width: Int, model: LatentModel)]
    ) throws -> [[Int32]] {
        for (index, tensor) in tensors.enumerated() {
            guard tensor.count >= 0 else {
                throw EntropyCodingError.invalidRequest("tensor \(index) has a negative symbol count")
            }
            if case .context(let model) = tensor.model,
                tensor.width <= 0 || tensor.count % (tensor.width * model.channelCount) != 0
            {
                throw EntropyCodingError.invalidRequest(
                    "tensor \(index): \(tensor.count) symbols do not fill rows of \(tensor.width) x \(model.channelCount)"
                )
            }
        }
        return try bytes.withUnsafeBufferPointer { buffer throws(EntropyCodingError) in
            var decoder = try RANSDecoder(buffer)
            var decoded: [[Int32]] = []
            decoded.reserveCapacity(tensors.count)
            for tensor in tensors {
                switch tensor.model {
                case .perChannel(let model):
                    decoded.append(try decoder.decode(count: tensor.count, model: model))
                case .context(let model):
                    decoded.append(try decoder.decode(count: tensor.count, width: tensor.width, model: model))
                }
            }
            try decoder.finish()
            return decoded
        }
    }
}
