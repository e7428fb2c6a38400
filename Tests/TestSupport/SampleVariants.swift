import Foundation

/// Awkward variants of the Spectralis sample (a few frames, a blank frame, a tiny size, another
/// series, no per-frame groups), written by `Scripts/testdata/derive_sample.py` (pydicom).
///
/// The script is deterministic (the same options always give the same file), so each variant is made
/// once per test process, in a cache folder, and copied from there: the many tests that need "frame 0
/// as instance 1" pay for one Python run, not one each.
public enum SampleVariants {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: [[String]: URL] = [:]
    private static let cache: URL = FileManager.default.temporaryDirectory
        .appendingPathComponent("octarc-sample-variants-\(getpid())")

    /// Writes the variant of the Spectralis sample that derive_sample.py's `options` describe
    /// (`--frames 0,1`, `--blank 0`, `--size 8x8`, `--instance 2`, `--series-uid UID`,
    /// `--no-per-frame-groups`) to `destination`, creating its folder.
    @discardableResult
    public static func write(_ options: [String], to destination: URL) throws -> URL {
        let source = try variant(options)
        try FileManager.default.createDirectory(
            at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source, to: destination)
        return destination
    }

    /// The cached variant for `options`, made on first use.
    private static func variant(_ options: [String]) throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        if let url = made[options] { return url }
        if made.isEmpty {
            try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
            atexit { try? FileManager.default.removeItem(at: SampleVariants.cache) }
        }
        let url = cache.appendingPathComponent("variant-\(made.count).dcm")
        guard let python = Tools.find("python3") else {
            throw Failure(description: "python3 is needed to make test data")
        }
        let result = try Tools.run(
            python,
            [
                Fixtures.repositoryRoot.appendingPathComponent("Scripts/testdata/derive_sample.py").path,
                Fixtures.samples.appendingPathComponent("duke-subject07-8bit.dcm").path, url.path,
            ] + options)
        guard result.status == 0 else {
            throw Failure(description: "derive_sample.py \(options) failed: \(result.output)")
        }
        made[options] = url
        return url
    }
}
