import Archive
import ArgumentParser
import Codec
import Foundation
import PACS

/// `convert --from AET@HOST:PORT` and its query.
struct ConvertFromNodeOptions: ParsableArguments {
    @Option(name: .long, help: "Read the series from this DICOM node (AET@HOST:PORT) with C-FIND and C-GET.")
    var from: String?

    @Option(name: .long, parsing: .singleValue, help: "Only this study (Study Instance UID); may be repeated.")
    var study: [String] = []

    @Option(name: .long, help: "Only this patient (Patient ID).")
    var patient: String?

    @Option(
        name: .customLong("study-date"),
        help: "Only studies of these dates: FROM-TO as YYYYMMDD-YYYYMMDD (either end may be open).")
    var studyDate: String?

    @Option(name: .long, help: "Only series of this modality.")
    var modality: String = "OPT"

    @Option(
        name: .customLong("series-per-batch"),
        help: "Series retrieved and converted together (bounds the temporary disk).")
    var seriesPerBatch: Int = 2

    @OptionGroup var connection: PACSConnectionOptions

    func validate() throws {
        if let studyDate { try PACSQuery.checkDateRange(studyDate) }
        if seriesPerBatch < 1 { throw ValidationError("--series-per-batch is at least 1") }
    }
}

extension ConvertCommand {
    func runFromNode() throws {
        let library = try ProfileFolders.library(explicit: profiles)
        let codec = FrameCodec(profile: try library.load(profile))
        let client = try node.connection.client(for: node.from ?? "")
        let query = PACSQuery(
            studyInstanceUIDs: node.study, patientID: node.patient, studyDate: node.studyDate, modality: node.modality)
        let output = URL(fileURLWithPath: out)
        let outcome = try PACSConverter(
            codec: codec,
            options: .init(
                client: client, query: query, output: output, jobs: jobs, quiet: json,
                seriesPerBatch: node.seriesPerBatch,
                progress: ProgressBar.handler(quiet: json))
        ).run()
        try printSummary(outcome, profile: codec.profile.name, from: client.node.description)
        if outcome.hadErrors { throw ExitCode(1) }
    }
}
