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

    /// Writes `report.json` into `folder` (made if missing). The figures and frames.csv beside it are
    /// the command line's (`octarc verify --report DIR`).
    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try json().write(to: folder.appendingPathComponent("report.json"), options: .atomic)
    }
}
