import EntropyCoding

/// Input: [channels-1 (bits 0-2), context model (bit 3), width-1 (bits 4-7)] [levels selector] [precision selector] [count lo] [count hi]
/// [channels x levels counts, one byte each] [bitstream...].
/// Checks that decoding any bitstream succeeds or throws an EntropyCodingError, that a successful decode
/// re-encodes to the same bytes (the stream format is a bijection), and that symbols taken from the
/// input round-trip through encode and decode. With bit 3 set, the tensor is coded with a context model
/// whose 125 rows per channel are the channel's counts rotated by the context (bitstream version 2).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLatentDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard bytes.count >= 5 else { return 0 }
    let channels = Int(bytes[0] & 7) + 1
    let levels = bytes[1] < 200 ? Int(bytes[1] % 16) + 1 : Int(bytes[1]) + 100
    let precision = 8 + Int(bytes[2] % 9)
    let count = Int(bytes[3]) | Int(bytes[4] & 0x0F) << 8
    let tableBytes = channels * levels
    guard bytes.count >= 5 + tableBytes else { return 0 }
    let counts = (0..<channels).map { channel in
        (0..<levels).map { level in UInt32(bytes[5 + channel * levels + level]) << (level % 4 * 6) }
    }
    let stream = Array(bytes[(5 + tableBytes)...])
    if bytes[0] & 8 != 0 {
        let width = Int(bytes[0] >> 4) + 1
        let rotated = counts.map { row in
            (0..<ContextModel.contextCount).map { k in Array(row[(k % levels)...] + row[..<(k % levels)]) }
        }
        guard let model = try? ContextModel(counts: rotated, precisionBits: precision) else { return 0 }
        fuzzContext(stream: stream, count: count - count % (width * channels), width: width, model: model)
        return 0
    }
    guard let model = try? SymbolModel(counts: counts, precisionBits: precision) else { return 0 }

    do {
        let decoded = try LatentCoder.decode(stream, count: count, model: model)
        precondition(decoded.count == count)
        precondition(LatentCoder.encode(decoded, model: model) == stream, "decode then encode changed the stream")
    } catch is EntropyCodingError {
    } catch {
        fatalError("not an EntropyCodingError: \(error)")
    }

    let symbols = symbolsFrom(stream, levels: levels)
    let encoded = LatentCoder.encode(symbols, model: model)
    guard let roundTrip = try? LatentCoder.decode(encoded, count: symbols.count, model: model), roundTrip == symbols
    else {
        fatalError("symbols did not round-trip")
    }
    return 0
}

/// The context-model half: the same three checks, on a tensor `width` positions wide.
func fuzzContext(stream: [UInt8], count: Int, width: Int, model: ContextModel) {
    let request = [(count: count, width: width, model: LatentModel.context(model))]
    do {
        let decoded = try LatentCoder.decode(stream, tensors: request)[0]
        precondition(decoded.count == count)
        precondition(
            LatentCoder.encode([LatentTensor(symbols: decoded, width: width, model: .context(model))]) == stream,
            "decode then encode changed the stream")
    } catch is EntropyCodingError {
    } catch {
        fatalError("not an EntropyCodingError: \(error)")
    }
    var symbols = symbolsFrom(stream, levels: model.levels)
    symbols.removeLast(symbols.count % (width * model.channelCount))
    let encoded = LatentCoder.encode([LatentTensor(symbols: symbols, width: width, model: .context(model))])
    guard let roundTrip = try? LatentCoder.decode(encoded, tensors: [(symbols.count, width, .context(model))]),
        roundTrip == [symbols]
    else {
        fatalError("symbols did not round-trip through the context model")
    }
}

/// The stream's bytes as symbols, mostly inside the alphabet, some far outside it.
func symbolsFrom(_ stream: [UInt8], levels: Int) -> [Int32] {
    var symbols: [Int32] = []
    var position = 0
    while position < stream.count {
        let byte = stream[position]
        if byte >= 0xF0 && position + 4 < stream.count {
            symbols.append(
                Int32(
                    bitPattern: UInt32(stream[position + 1]) | UInt32(stream[position + 2]) << 8
                        | UInt32(stream[position + 3]) << 16 | UInt32(stream[position + 4]) << 24))
            position += 5
        } else {
            symbols.append(Int32(byte) % Int32(levels + 1))
            position += 1
        }
    }
    return symbols
}
