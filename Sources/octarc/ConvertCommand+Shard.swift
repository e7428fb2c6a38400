import Archive
import ArgumentParser
import Codec
import Foundation

extension ConvertCommand {
    /// `convert --plan P --shard K`: one shard, then the merge if it is the last to complete.
    func runShard(codec: FrameCodec, options: Converter.Options, selection: ShardOptions.Selection) throws {
        let outcome = try ShardConverter(codec: codec, planURL: selection.url, shard: selection.shard, options: options)
            .run()
        let convert = outcome.convert
        let parts = ManifestParts(output: options.output)
        if json {
            print(String(decoding: try convert.manifest.encoded(), as: UTF8.self))
        } else {
            print(
                "shard \(selection.shard) of \(selection.plan.shards): \(convert.manifest.series.count) series "
                    + "(\(convert.converted) converted, \(convert.upToDate) up to date), "
                    + "\(convert.manifest.series.reduce(0) { $0 + $1.frames }) frames, profile \(codec.profile.name)")
            for skipped in convert.manifest.skipped {
                print(
                    "\(skipped.failed ? "bad input" : "skipped") \(skipped.path): \(skipped.reason)"
                        + (skipped.copiedTo.map { " (copied to \($0))" } ?? ""))
            }
            for failure in convert.failures { print("FAILED \(failure)") }
            print("manifest part: \(parts.manifest(shard: selection.shard).path)")
            if let merged = outcome.merged {
                print(
                    "all \(selection.plan.shards) shards complete; merged \(merged.manifest.series.count) series into "
                        + options.output.appendingPathComponent(Manifest.fileName).path)
            } else {
                print(
                    "waiting for shard\(outcome.unfinished.count == 1 ? "" : "s") "
                        + "\(outcome.unfinished.map(String.init).joined(separator: ", ")); the last to complete merges")
            }
        }
        if convert.hadErrors { throw ExitCode(1) }
    }
}
