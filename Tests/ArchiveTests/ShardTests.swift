import Archive
import Codec
import DICOM
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `octarc plan`, sharded convert and the manifest merge, in process, on archives of real OCT series
/// (the samples and copies of them with new UIDs).
@Suite struct ShardTests {
    /// A fixture profile: plans, shards and merges do not depend on the codec, only on its bytes.
    static let codec = Result { try Pipeline.codec("fixture-a") }

    /// The two samples, `bioptigen` copies of the 12-bit sample, `duke` copies of the 8-bit one and a
    /// file that is not DICOM.
    static func archive(bioptigen: Int, duke: Int, samples: Bool = true) throws -> URL {
        let folder = try Fixtures.makeTemporaryDirectory("octarc-shards").appendingPathComponent("archive")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if samples {
            for name in ["duke-subject07-8bit.dcm", "bioptigen-subj13-12bit.dcm"] {
                try FileManager.default.copyItem(
                    at: Fixtures.samples.appendingPathComponent(name),
                    to: folder.appendingPathComponent(name))
            }
        } else {
            try FileManager.default.copyItem(
                at: Fixtures.samples.appendingPathComponent("bioptigen-subj13-12bit.dcm"),
                to: folder.appendingPathComponent("bioptigen-subj13-12bit.dcm"))
        }
        try SeriesCopies.make(
            "bioptigen-subj13-12bit.dcm", count: bioptigen, label: "b", in: folder.appendingPathComponent("copies"))
        try SeriesCopies.make(
            "duke-subject07-8bit.dcm", count: duke, label: "d", in: folder.appendingPathComponent("copies"))
        try Data("not DICOM\n".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        return folder
    }

    /// Three short series (1, 2 and 1 frames of the Spectralis sample, each with its own Series Instance
    /// UID) and a file that is not DICOM: for the tests that convert, where frames only cost time.
    static func shortSeriesArchive() throws -> URL {
        let folder = try Fixtures.makeTemporaryDirectory("octarc-shards").appendingPathComponent("archive")
        for (index, frames) in ["0", "1,2", "3"].enumerated() {
            try SampleVariants.write(
                ["--frames", frames, "--series-uid", "2.25.9090\(index)"],
                to: folder.appendingPathComponent("series-\(index).dcm"))
        }
        try Data("not DICOM\n".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        return folder
    }

    static func files(_ folder: URL, extension ext: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(
            at: folder, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == ext else { continue }
            out[String(url.path.dropFirst(folder.path.count + 1))] = try? Data(contentsOf: url)
        }
        return out
    }
}

extension ShardTests {
    @Test(.enabled(if: SeriesCopies.available))
    func planIsDeterministicCoversEverySeriesOnceAndBalancesFrames() throws {
        let archive = try Self.archive(bioptigen: 5, duke: 2)
        defer { try? FileManager.default.removeItem(at: archive.deletingLastPathComponent()) }
        let scan = StudyArchive.scan(archive)
        #expect(scan.series.count == 9)
        let plan = ShardPlan.make(archive: archive, shards: 3)
        #expect(plan == ShardPlan.make(archive: archive, shards: 3))

        // Every series once, in Series Instance UID order, with all its files.
        #expect(plan.series.map(\.seriesInstanceUID) == scan.series.map(\.seriesInstanceUID).sorted())
        let planned = Set((0..<3).flatMap { plan.files(of: $0) }.map(\.standardizedFileURL.path))
        #expect(planned == Set(scan.instances.map(\.url.standardizedFileURL.path)))
        #expect(plan.skipped.map(\.path) == ["notes.txt"])

        // Greedy largest-first: shards differ by at most the largest series, and every shard has work.
        let loads = plan.framesPerShard
        #expect(loads.reduce(0, +) == scan.series.reduce(0) { $0 + $1.frameCount })
        #expect(loads.max()! - loads.min()! <= scan.series.map(\.frameCount).max()!)
        #expect(loads.allSatisfy { $0 > 0 })

        // The written plan reads back equal.
        let folder = archive.deletingLastPathComponent().appendingPathComponent("out")
        let url = try plan.write(to: folder)
        #expect(try ShardPlan.read(from: url) == plan)
    }

    @Test(.enabled(if: SeriesCopies.available))
    func aShardRefusesAnArchiveThatChangedSinceThePlan() throws {
        let archive = try Self.archive(bioptigen: 1, duke: 0, samples: false)
        defer { try? FileManager.default.removeItem(at: archive.deletingLastPathComponent()) }
        let plan = ShardPlan.make(archive: archive, shards: 2)
        let shard = try #require(plan.series.first?.shard)
        let file = plan.url(of: try #require(plan.series.first?.files.first?.path))
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0, 0]))
        try handle.close()
        #expect {
            try plan.scan(shard: shard)
        } throws: { error in
            "\(error)".contains(file.path) && "\(error)".contains("run octarc plan again")
        }
        #expect(throws: ArchiveError.self) { try plan.scan(shard: 2) }
    }

    @Test(.enabled(if: SeriesCopies.available))
    func shardedConvertEqualsOneMachineAndMergesOnlyWhenEveryShardCompleted() throws {
        let codec = try Self.codec.get()
        let archive = try Self.shortSeriesArchive()
        defer { try? FileManager.default.removeItem(at: archive.deletingLastPathComponent()) }
        let root = archive.deletingLastPathComponent()
        let single = root.appendingPathComponent("single")
        let sharded = root.appendingPathComponent("sharded")
        let reference = try Converter(
            codec: codec, options: .init(archive: archive, output: single, jobs: 2, quiet: true)
        ).run()
        #expect(reference.converted == 3)

        let planURL = try ShardPlan.make(archive: archive, shards: 2).write(to: sharded)
        let plan = try ShardPlan.read(from: planURL)
        let options = Converter.Options(
            archive: URL(fileURLWithPath: "/nonexistent"), output: sharded, jobs: 2, quiet: true)
        let first = try ShardConverter(codec: codec, planURL: planURL, shard: 1, options: options).run()
        #expect(first.merged == nil)
        #expect(first.unfinished == [0])
        #expect(!FileManager.default.fileExists(atPath: sharded.appendingPathComponent(Manifest.fileName).path))
        #expect {
            try ManifestMerge.merge(output: sharded, planURL: planURL)
        } throws: { "\($0)".contains("shard 0 of 2") }

        let last = try ShardConverter(codec: codec, planURL: planURL, shard: 0, options: options).run()
        let merged = try #require(last.merged)
        #expect(last.convert.converted + first.convert.converted == 3)
        #expect(plan.series(of: 0).count == last.convert.converted)

        // The same manifest as one machine's (timings aside) and the same container bytes.
        let written = try #require(Manifest.read(from: sharded))
        #expect(try written.encoded(normalized: true) == reference.manifest.encoded(normalized: true))
        #expect(try merged.manifest.encoded(normalized: true) == reference.manifest.encoded(normalized: true))
        #expect(written.skipped.map(\.path) == ["notes.txt"])
        let expected = Self.files(single, extension: "octz")
        #expect(expected.count == 3)
        #expect(Self.files(sharded, extension: "octz") == expected)

        // Rerun: nothing left to do, and the merge gives the same manifest again.
        let again = try ShardConverter(codec: codec, planURL: planURL, shard: 1, options: options).run()
        #expect(again.convert.converted == 0 && again.convert.upToDate == plan.series(of: 1).count)
        #expect(try again.merged?.manifest.encoded(normalized: true) == reference.manifest.encoded(normalized: true))

        // Parts made under another plan are never merged.
        let otherPlan = try ShardPlan.make(archive: archive, shards: 3).write(to: root.appendingPathComponent("other"))
        #expect {
            try ManifestMerge.merge(output: sharded, planURL: otherPlan)
        } throws: { "\($0)".contains("0, 1, 2 of 3") }
    }

    @Test(.enabled(if: SeriesCopies.available))
    func aShardThatIsRunningIsNotStartedTwice() throws {
        let codec = try Self.codec.get()
        let archive = try Self.archive(bioptigen: 0, duke: 0, samples: false)
        defer { try? FileManager.default.removeItem(at: archive.deletingLastPathComponent()) }
        let output = archive.deletingLastPathComponent().appendingPathComponent("out")
        let planURL = try ShardPlan.make(archive: archive, shards: 1).write(to: output)
        let parts = ManifestParts(output: output)
        try FileManager.default.createDirectory(at: parts.folder, withIntermediateDirectories: true)
        let held = open(parts.folder.appendingPathComponent("shard-0.lock").path, O_RDWR | O_CREAT, 0o644)
        #expect(held >= 0 && flock(held, LOCK_EX) == 0)
        defer { close(held) }
        let options = Converter.Options(archive: archive, output: output, jobs: 1, quiet: true)
        #expect {
            try ShardConverter(codec: codec, planURL: planURL, shard: 0, options: options).run()
        } throws: { "\($0)".contains("shard 0 is already running") }
        #expect(!FileManager.default.fileExists(atPath: parts.manifest(shard: 0).path))
    }
}

extension ShardTests {
    @Test(.enabled(if: SeriesCopies.available))
    func restoreAndVerifyWorkOnOneShardOnly() throws {
        let codec = try Self.codec.get()
        let archive = try Self.shortSeriesArchive()
        defer { try? FileManager.default.removeItem(at: archive.deletingLastPathComponent()) }
        let root = archive.deletingLastPathComponent()
        let output = root.appendingPathComponent("octz")
        #expect(
            try Converter(codec: codec, options: .init(archive: archive, output: output, jobs: 2, quiet: true)).run()
                .converted == 3)
        let plan = ShardPlan.make(archive: archive, shards: 2)
        let shard = try #require((0..<2).max { plan.series(of: $0).count < plan.series(of: $1).count })
        let expected = Set(StudyArchive.scan(plan.files(of: shard)).instances.map(\.sopInstanceUID))
        #expect(expected.count == plan.series(of: shard).count)

        let library = Pipeline.library
        let restored = try Restorer(
            library: library,
            options: .init(
                input: output, output: root.appendingPathComponent("restored"), jobs: 2, frames: 1...1, quiet: true,
                containers: plan.containers(of: shard, in: output))
        ).run()
        #expect(restored.failures.isEmpty)
        #expect(Set(restored.restored.map(\.sourceSOPInstanceUID)) == expected)

        let verified = try Verifier(
            library: library,
            options: .init(
                originals: archive, restored: output, jobs: 2, quiet: true, originalFiles: plan.files(of: shard),
                restoredContainers: plan.containers(of: shard, in: output))
        ).run()
        #expect(Set(verified.report.frames.map(\.sopInstanceUID)) == expected)
        #expect(verified.report.frames.count == plan.series(of: shard).reduce(0) { $0 + $1.frames })
    }
}
