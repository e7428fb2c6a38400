import Foundation

extension VerifyReport {
    /// `report.json`. A number that is not finite (a mean of nothing, PSNR of identical images) is
    /// written as null: JSON has no NaN, and a string in a numeric field breaks readers.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let marker = "__octarc_not_finite__"
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: marker, negativeInfinity: marker, nan: marker)
        let text = String(decoding: try encoder.encode(self), as: UTF8.self)
        return Data(text.replacingOccurrences(of: "\"\(marker)\"", with: "null").utf8)
    }
}
