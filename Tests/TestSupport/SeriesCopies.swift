import Foundation

/// Archives of many series made from the committed samples: each copy gets new Study, Series and SOP
/// Instance UIDs (DCMTK's dcmodify, which updates the meta header too), so it scans as a series of
/// its own while its pixels stay real OCT.
public enum SeriesCopies {
    public enum Failure: Error, CustomStringConvertible {
        case tool(String)
        public var description: String {
            switch self {
            case .tool(let message): message
            }
        }
    }

    /// Whether the tool that makes the copies is installed (DCMTK, from Scripts/bootstrap).
    public static var available: Bool { Tools.find("dcmodify") != nil }

    /// Copies `sample` (a file of `Samples/`) `count` times into `folder` as `copy-<label>-NN.dcm`, with
    /// UIDs fixed by `label` and the copy's number (the same call always gives the same files).
    @discardableResult
    public static func make(_ sample: String, count: Int, label: String, in folder: URL) throws -> [URL] {
        guard let dcmodify = Tools.find("dcmodify") else { throw Failure.tool("dcmodify (DCMTK) is not installed") }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let seed =
            label.utf8.reduce(UInt64(1_469_598_103_934_665_603)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
            % 1_000_000_000
        return try (0..<count).map { index in
            let url = folder.appendingPathComponent(String(format: "copy-%@-%02d.dcm", label, index))
            try? FileManager.default.removeItem(at: url)
            try FileManager.default.copyItem(at: Fixtures.samples.appendingPathComponent(sample), to: url)
            func uid(_ kind: Int) -> String { "2.25.\(seed)\(kind)\(String(format: "%04d", index))7" }
            let result = try Tools.run(
                dcmodify,
                [
                    "-nb", "-m", "(0020,000d)=\(uid(1))", "-m", "(0020,000e)=\(uid(2))",
                    "-m", "(0008,0018)=\(uid(3))", url.path,
                ])
            guard result.status == 0 else { throw Failure.tool("dcmodify \(url.path): \(result.output)") }
            return url
        }
    }
}
