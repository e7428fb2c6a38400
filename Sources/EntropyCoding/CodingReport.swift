import Foundation

/// How many bits latent symbols took, against the model's ideal and against fixed-length coding.
///
/// Reports add up, so one report can cover a frame, a series or a data set:
///
/// ```swift
/// let total = frames.map { LatentCoder.report($0.tensors) }.reduce(CodingReport(), +)
/// print(total.bitsPerSymbol, total.fixedLengthBitsPerSymbol)  // e.g. 1.2 vs log2(7) = 2.81
/// ```
public struct CodingReport: Sendable, Equatable, Codable {
    /// Symbols coded.
    public var symbolCount = 0
    /// Symbols outside `0..<levels` that went through the escape path.
    public var escapeCount = 0
    /// Bits of the actual bitstreams (bytes x 8, including each stream's 4-byte final state).
    public var codedBits = 0
    /// The model's ideal code length: the sum of -log2(frequency / 2^precision), plus escape payloads.
    public var idealBits = 0.0
    /// Fixed-length coding: log2(levels) bits per symbol, the paper's measure.
    public var fixedLengthBits = 0.0

    public init() {}

    /// Actual bits per symbol.
    public var bitsPerSymbol: Double { symbolCount == 0 ? 0 : Double(codedBits) / Double(symbolCount) }
    /// Ideal bits per symbol under the model.
    public var idealBitsPerSymbol: Double { symbolCount == 0 ? 0 : idealBits / Double(symbolCount) }
    /// log2(levels) (averaged over the symbols when tensors with different levels were added).
    public var fixedLengthBitsPerSymbol: Double {
        symbolCount == 0 ? 0 : fixedLengthBits / Double(symbolCount)
    }
    /// Fixed-length bits divided by actual bits: how much the entropy coder gains.
    public var gainOverFixedLength: Double { codedBits == 0 ? 0 : fixedLengthBits / Double(codedBits) }

    public static func + (lhs: CodingReport, rhs: CodingReport) -> CodingReport {
        var sum = lhs
        sum.symbolCount += rhs.symbolCount
        sum.escapeCount += rhs.escapeCount
        sum.codedBits += rhs.codedBits
        sum.idealBits += rhs.idealBits
        sum.fixedLengthBits += rhs.fixedLengthBits
        return sum
    }
}

extension LatentCoder {
    /// The ideal code length in bits of `symbols` under `model` (no coder overhead), for estimates.
    /// Floating point is used here only for reporting; it never decides a coded symbol.
    public static func idealBits(_ symbols: [Int32], model: SymbolModel) -> Double {
        let scale = Double(model.precisionBits)
        let costs = model.frequencyTable.map { scale - log2(Double($0)) }
        var bits = 0.0
        var channel = 0
        for value in symbols {
            if value >= 0 && Int(value) < model.levels {
                bits += costs[channel * model.alphabetSize + Int(value)]
            } else {
                bits += costs[channel * model.alphabetSize + model.levels] + escapePayloadBits(value, model: model)
            }
            channel = channel == model.channelCount - 1 ? 0 : channel + 1
        }
        return bits
    }

    /// Encodes `tensors` into one bitstream and reports its size against the ideal and fixed-length sizes.
    public static func report(_ tensors: [(symbols: [Int32], model: SymbolModel)]) -> CodingReport {
        var report = CodingReport()
        report.codedBits = encode(tensors).count * 8
        for tensor in tensors {
            report.symbolCount += tensor.symbols.count
            report.escapeCount += tensor.symbols.count { $0 < 0 || Int($0) >= tensor.model.levels }
            report.idealBits += idealBits(tensor.symbols, model: tensor.model)
            report.fixedLengthBits += Double(tensor.symbols.count) * log2(Double(tensor.model.levels))
        }
        return report
    }

    /// ``report(_:)`` for one tensor.
    public static func report(_ symbols: [Int32], model: SymbolModel) -> CodingReport {
        report([(symbols: symbols, model: model)])
    }

    private static func escapePayloadBits(_ value: Int32, model: SymbolModel) -> Double {
        let word = UInt64(EscapePayload.distance(of: value, levels: model.levels)) + 1
        return Double(RANS.escapeLengthBits + 63 - word.leadingZeroBitCount)
    }
}
