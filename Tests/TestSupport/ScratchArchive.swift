import Foundation

/// A scratch folder in which a test makes the archives it needs (the in-process `Pipeline` of
/// ArchiveTests and the `AwkwardArchive` of EndToEndTests).
public protocol ScratchArchive {
    /// The scratch folder (`Fixtures.makeTemporaryDirectory`).
    var work: URL { get }
}

extension ScratchArchive {
    /// Removes the scratch folder and everything in it.
    public func remove() { try? FileManager.default.removeItem(at: work) }

    /// A path under the scratch folder.
    public func url(_ relative: String) -> URL { work.appendingPathComponent(relative) }

    /// Writes `relative` (under the scratch folder) from frames of the Spectralis sample;
    /// `options` are derive_sample.py's (`--frames 0,1`, `--blank 0`, `--size 8x8`, ...).
    @discardableResult
    public func instance(_ relative: String, _ options: [String]) throws -> URL {
        try SampleVariants.write(options, to: url(relative))
    }
}
