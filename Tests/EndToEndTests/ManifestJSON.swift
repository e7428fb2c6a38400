import Foundation
import Testing

/// A convert's manifest.json without the run's timings (`seconds`, top level and per series), as
/// sorted JSON: equal for two converts of the same archive, on one machine or as shards.
enum ManifestJSON {
    static func normalized(_ folder: URL) throws -> Data {
        let data = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
        var manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        manifest["seconds"] = 0
        manifest["series"] = (manifest["series"] as? [[String: Any]])?.map { series in
            var series = series
            series["seconds"] = 0
            return series
        }
        return try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
    }
}
