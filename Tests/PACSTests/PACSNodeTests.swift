import Archive
import Codec
import Container
import DICOM
import Foundation
import PACS
import TestSupport
import Testing

/// convert --from, restore --to, echo and their faults against a real Orthanc (Scripts/with-orthanc).
/// Serialized: one test pauses Orthanc.
@Suite(.serialized, .enabled(if: Orthanc.isAvailable, Orthanc.skipMessage))
struct PACSNodeTests {
    /// The fixture profiles (tiny codecs): what these tests check is the transfer, not the codec.
    static let library = ProfileLibrary(folders: [Fixtures.testData.appendingPathComponent("profiles")])
    static let codec = Result { FrameCodec(profile: try library.load("fixture-a")) }

    static var samples: [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: Fixtures.samples, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "dcm" }.sorted { $0.path < $1.path }
    }

    /// The samples as these tests convert them: the Bioptigen one whole (5 frames, 12-bit) and 2 of the
    /// 16 frames of the Spectralis one (8-bit, with its private tags), written into `folder`.
    static func shortSamples(in folder: URL) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let spectralis = try SampleVariants.write(
            ["--frames", "0,1"], to: folder.appendingPathComponent("duke-2-frames.dcm"))
        let bioptigen = folder.appendingPathComponent("bioptigen-subj13-12bit.dcm")
        try FileManager.default.copyItem(
            at: Fixtures.samples.appendingPathComponent("bioptigen-subj13-12bit.dcm"), to: bioptigen)
        return [bioptigen, spectralis]
    }

    static func containers(in folder: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        return ((enumerator?.allObjects as? [String]) ?? []).filter { $0.hasSuffix(".octz") }.sorted()
    }
}

extension PACSNodeTests {
    @Test func echoAnswers() throws {
        try Orthanc.client().echo()
    }

    @Test func wrongCalledAETitleIsRejectedWithTheReason() throws {
        let node = DICOMNode(aeTitle: "NOT_ORTHANC", host: Orthanc.node.host, port: Orthanc.node.port)
        let client = try PACSClient(node: node, callingAETitle: Orthanc.callingAETitle)
        #expect {
            try client.echo()
        } throws: { error in
            let error = error as? PACSError
            return error?.kind == .associationRejected
                && error?.message.contains("Called AE Title Not Recognized") == true
                && error?.message.contains("NOT_ORTHANC") == true
        }
        // The same for a query, which goes through another path of the shim.
        #expect(throws: PACSError.self) { try client.find(level: .study, keys: [(.init(0x0020, 0x000D), "")]) }
    }

    /// Orthanc accepts the association of an AE title it does not know, then aborts at the query:
    /// the message names the calling AE title as the likely cause.
    @Test func unknownCallingAETitleIsNamed() throws {
        let client = try PACSClient(node: Orthanc.node, callingAETitle: "NOBODY")
        #expect {
            _ = try client.series(matching: PACSQuery())
        } throws: { error in
            (error as? PACSError)?.kind == .connectionLost && "\(error)".contains("calling AE title NOBODY")
        }
    }

    /// A SOP class Orthanc does not accept: storing only such files cannot open an association.
    @Test func unacceptedSOPClassIsNoPresentationContext() throws {
        let scratch = try Fixtures.makeTemporaryDirectory("octarc-pacs")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = try Orthanc.variant(of: Self.samples[0], patientID: "OCTARC-NO-CONTEXT", in: scratch)
        let dcmodify = try #require(Tools.find("dcmodify"))
        let changed = try Tools.run(dcmodify, ["-nb", "-m", "(0008,0016)=1.2.826.0.1.3680043.9.7433.1.1", file.path])
        #expect(changed.status == 0, "\(changed.output)")
        #expect {
            _ = try Orthanc.client().store([file])
        } throws: { error in
            (error as? PACSError)?.kind == .noPresentationContext && "\(error)".contains("C-STORE")
        }
    }

    @Test func closedPortIsConnectionRefused() throws {
        // A port that was free a moment ago: bind, read the number, close.
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        close(socket)
        let port = UInt16(bigEndian: address.sin_port)
        let client = try PACSClient(
            node: DICOMNode(aeTitle: "ORTHANC", host: "127.0.0.1", port: port), callingAETitle: "OCTARC")
        #expect {
            try client.echo()
        } throws: { error in
            (error as? PACSError)?.kind == .connectionRefused && "\(error)".contains("127.0.0.1:\(port)")
        }
    }

    /// Containers from a convert --from equal those from converting the same files from disk: same
    /// instances, transfer syntax, geometry, header data set (file meta information aside: the network
    /// carries none), same coded frames and the same original-pixel checksums. A rerun retrieves nothing.
    @Test func convertFromNodeEqualsConvertFromDiskAndResumes() throws {
        let codec = try Self.codec.get()
        let scratch = try Fixtures.makeTemporaryDirectory("octarc-pacs")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let archive = scratch.appendingPathComponent("archive")
        try FileManager.default.createDirectory(at: archive, withIntermediateDirectories: true)
        var studies: [String] = []
        let samples = try Self.shortSamples(in: scratch.appendingPathComponent("samples"))
        for sample in samples {
            let file = try Orthanc.variant(of: sample, patientID: "OCTARC-EQUAL", in: archive)
            try Orthanc.upload(file)
            studies.append(try OCTInstance.open(file).studyInstanceUID)
        }
        let fromDisk = scratch.appendingPathComponent("disk")
        let fromNode = scratch.appendingPathComponent("node")
        let disk = try Converter(codec: codec, options: .init(archive: archive, output: fromDisk, jobs: 2, quiet: true))
            .run()
        let options = PACSConverter.Options(
            client: try Orthanc.client(), query: PACSQuery(studyInstanceUIDs: studies),
            output: fromNode, jobs: 2, quiet: true, seriesPerBatch: 1)
        let node = try PACSConverter(codec: codec, options: options).run()
        #expect(node.failures.isEmpty && disk.failures.isEmpty)
        #expect(node.converted == samples.count)
        let names = Self.containers(in: fromNode)
        #expect(names == Self.containers(in: fromDisk) && names.count == samples.count)
        for name in names {
            let a = try OctzReader(url: fromDisk.appendingPathComponent(name))
            let b = try OctzReader(url: fromNode.appendingPathComponent(name))
            #expect(a.header.instances.count == b.header.instances.count)
            for (x, y) in zip(a.header.instances, b.header.instances) {
                #expect(x.sopInstanceUID == y.sopInstanceUID && x.sopClassUID == y.sopClassUID)
                #expect(x.transferSyntaxUID == y.transferSyntaxUID && x.geometry == y.geometry)
                #expect(x.pixelDataByteCount == y.pixelDataByteCount)
                let dataset = { (bytes: [UInt8]) in
                    try HeaderDataset(bytes: bytes).attributes().filter { !$0.path.hasPrefix("(0002,") }
                }
                #expect(try dataset(x.headerDataset) == dataset(y.headerDataset))
            }
            #expect(a.recordCount == b.recordCount)
            for index in 0..<a.recordCount {
                let x = try a.record(at: index)
                let y = try b.record(at: index)
                #expect(x == y, "\(name), record \(index)")
                #expect(x.pixelChecksum != nil)
            }
        }
        // The manifest names the node and the query; no retrieved file or staging folder is left.
        let manifest = try #require(Manifest.read(from: fromNode))
        #expect(
            manifest.source?.node == Orthanc.node.description && manifest.source?.query.studyInstanceUIDs == studies)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fromNode.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)

        // Rerun: nothing retrieved (the hook would see it), nothing rewritten.
        let before = try names.map { try Data(contentsOf: fromNode.appendingPathComponent($0)) }
        var rerunOptions = options
        rerunOptions.onRetrieved = { _ in
            Issue.record("a rerun retrieved an instance")
            return true
        }
        let rerun = try PACSConverter(codec: codec, options: rerunOptions).run()
        #expect(rerun.converted == 0 && rerun.upToDate == samples.count && rerun.failures.isEmpty)
        #expect(try names.map { try Data(contentsOf: fromNode.appendingPathComponent($0)) } == before)
    }

    /// Orthanc paused (SIGSTOP) in the middle of a retrieve: the series fails with a message naming it,
    /// nothing of it is left in the output, and once Orthanc runs again the rerun converts it.
    @Test func nodeStoppedInTheMiddleOfARetrieve() throws {
        let pid = try #require(Orthanc.pid, "ORTHANC_PID is not set")
        let codec = try Self.codec.get()
        let scratch = try Fixtures.makeTemporaryDirectory("octarc-pacs")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = try Orthanc.variant(
            of: Self.samples[0], patientID: "OCTARC-STOP-\(UUID().uuidString.prefix(8))", in: scratch)
        try Orthanc.upload(file)
        let instance = try OCTInstance.open(file)
        let output = scratch.appendingPathComponent("out")
        var options = PACSConverter.Options(
            client: try Orthanc.client(timeouts: .init(connect: 2, association: 2, response: 2)),
            query: PACSQuery(studyInstanceUIDs: [instance.studyInstanceUID]), output: output, jobs: 2, quiet: true)
        options.onRetrieved = { _ in
            kill(pid, SIGSTOP)
            return true
        }
        let stopped: Converter.Outcome
        do {
            defer { kill(pid, SIGCONT) }
            stopped = try PACSConverter(codec: codec, options: options).run()
        }
        #expect(stopped.converted == 0 && stopped.failures.count == 1)
        let failure = try #require(stopped.failures.first)
        #expect(
            failure.contains("series \(instance.seriesInstanceUID)") && failure.contains("no answer in time"),
            "\(failure)")
        #expect(Self.containers(in: output).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasPrefix(".") }.isEmpty)
        #expect(Manifest.read(from: output)?.series.isEmpty == true)

        // A staging folder that a killed run would leave behind goes too.
        let stale = output.appendingPathComponent(".octarc-pacs-stale/in")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
        options.onRetrieved = nil
        let rerun = try PACSConverter(codec: codec, options: options).run()
        #expect(rerun.converted == 1 && rerun.failures.isEmpty)
        #expect(Self.containers(in: output) == ["\(instance.studyInstanceUID)/\(instance.seriesInstanceUID).octz"])
        #expect(!FileManager.default.fileExists(atPath: stale.path))
    }

    /// restore --to: the derived instances arrive in Orthanc with the derived-image attributes and the
    /// original's private tags; an instance Orthanc refuses is named with its status and the rest are stored.
    @Test func restoreToNodeStoresDerivedInstancesAndNamesARefusedOne() throws {
        let codec = try Self.codec.get()
        let scratch = try Fixtures.makeTemporaryDirectory("octarc-pacs")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let archive = scratch.appendingPathComponent("archive")
        try FileManager.default.createDirectory(at: archive, withIntermediateDirectories: true)
        let samples = try Self.shortSamples(in: scratch.appendingPathComponent("samples"))
        let duke = try #require(samples.first { $0.lastPathComponent.hasPrefix("duke") })  // has private tags
        let other = try #require(samples.first { $0 != duke })
        let accepted = try Orthanc.variant(of: duke, patientID: "OCTARC-RESTORE", in: archive)
        try Orthanc.upload(accepted)
        // with-orthanc's Lua filter refuses Patient IDs starting with REFUSE-.
        let refused = try Orthanc.variant(of: other, patientID: "REFUSE-\(UUID().uuidString.prefix(8))", in: archive)
        let containers = scratch.appendingPathComponent("containers")
        let restoredFolder = scratch.appendingPathComponent("restored")
        _ = try Converter(codec: codec, options: .init(archive: archive, output: containers, jobs: 2, quiet: true))
            .run()
        let restored = try Restorer(
            library: Self.library, options: .init(input: containers, output: restoredFolder, jobs: 2, quiet: true)
        ).run()
        #expect(restored.restored.count == 2 && restored.failures.isEmpty)

        let results = try Restorer.send(restored.restored, to: try Orthanc.client())
        let refusedUID = try OCTInstance.open(refused).sopInstanceUID
        let acceptedUID = try OCTInstance.open(accepted).sopInstanceUID
        for (instance, result) in zip(restored.restored, results) {
            if instance.sourceSOPInstanceUID == refusedUID {
                #expect(!result.succeeded && result.status != 0xFFFF, "\(result)")
                #expect(try Orthanc.tags(ofSOPInstance: instance.sopInstanceUID) == nil)
            } else {
                #expect(instance.sourceSOPInstanceUID == acceptedUID)
                #expect(result.succeeded, "\(result)")
                let tags = try #require(try Orthanc.tags(ofSOPInstance: instance.sopInstanceUID))
                #expect((tags["ImageType"] as? String)?.hasPrefix("DERIVED") == true)
                #expect(tags["LossyImageCompression"] as? String == "01")
                #expect((tags["LossyImageCompressionMethod"] as? String)?.contains("OCTARC_CNN") == true)
                #expect(tags["SeriesInstanceUID"] as? String == (try OCTInstance.open(accepted).seriesInstanceUID))
                // The private block of the sample, unchanged.
                #expect(tags["0009,0010"] as? String == "OCTARC SAMPLES")
                let original = try OCTInstance.open(accepted).headerDataset()
                #expect(tags["0009,1001"] as? String == (try original.string(DICOMTag(0x0009, 0x1001))))
            }
        }
        // The restored instance now sits in the original's series; converting that series from the
        // node takes only the original.
        let acceptedSeries = try OCTInstance.open(accepted)
        let again = scratch.appendingPathComponent("again")
        let outcome = try PACSConverter(
            codec: codec,
            options: .init(
                client: try Orthanc.client(), query: PACSQuery(studyInstanceUIDs: [acceptedSeries.studyInstanceUID]),
                output: again, jobs: 2, quiet: true)
        ).run()
        #expect(outcome.converted == 1 && outcome.failures.isEmpty, "\(outcome.failures) \(outcome.upToDate)")
        #expect(outcome.manifest.series.first?.inputs.map(\.sopInstanceUID) == [acceptedUID])
    }
}

extension PACSNodeTests {
    /// C-MOVE (octarc listening on the port Orthanc knows for OCTARC) brings back the same files as
    /// C-GET, byte for byte, compressed transfer syntax included.
    @Test func cMoveRetrievesTheSameFilesAsCGet() throws {
        let port = try #require(
            Orthanc.environment["ORTHANC_MOVE_PORT"].flatMap { UInt16($0) }, "ORTHANC_MOVE_PORT is not set")
        let scratch = try Fixtures.makeTemporaryDirectory("octarc-pacs")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var series: [PACSSeries] = []
        for sample in Self.samples {
            let file = try Orthanc.variant(of: sample, patientID: "OCTARC-MOVE", in: scratch)
            try Orthanc.upload(file)
            let instance = try OCTInstance.open(file)
            series += try Orthanc.client().series(matching: PACSQuery(studyInstanceUIDs: [instance.studyInstanceUID]))
        }
        #expect(series.count == Self.samples.count)
        let viaGet = scratch.appendingPathComponent("get")
        let viaMove = scratch.appendingPathComponent("move")
        var mover = try Orthanc.client()
        mover.movePort = port
        for item in series {
            for folder in [viaGet, viaMove] {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            }
            let got = try Orthanc.client().retrieve(item, into: viaGet)
            let moved = try mover.retrieve(item, into: viaMove)
            #expect(got.received == 1 && moved.received == 1 && moved.completed == 1 && moved.failed == 0)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: viaGet.path).sorted()
        #expect(names.count == Self.samples.count)
        #expect(try FileManager.default.contentsOfDirectory(atPath: viaMove.path).sorted() == names)
        for name in names {
            #expect(
                try Data(contentsOf: viaGet.appendingPathComponent(name))
                    == Data(contentsOf: viaMove.appendingPathComponent(name)))
        }
        // Each instance in the transfer syntax it was stored in (one sample is JPEG-LS).
        let syntaxes = { (files: [URL]) in Set(try files.map { try OCTInstance.open($0).transferSyntaxUID }) }
        #expect(try syntaxes(names.map { viaMove.appendingPathComponent($0) }) == syntaxes(Self.samples))
    }
}
