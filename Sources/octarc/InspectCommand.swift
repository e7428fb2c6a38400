import ArgumentParser
import DICOM
import Foundation

/// `octarc inspect PATH...`: lists the OCT series found in DICOM files and folders, one line each,
/// and every file that is not readable OCT DICOM with the reason.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List the OCT series in DICOM files and folders, and the files that cannot be read.",
        discussion: """
            Folders are searched recursively; files may have any names. Exits with 0 if at least one \
            OCT series was read, 1 if none.
            """)

    @Argument(help: "DICOM files or folders.")
    var paths: [String]

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let archive = StudyArchive.scan(paths.map { URL(fileURLWithPath: $0) })
        if json {
            var data = try archive.reportJSON()
            data.append(0x0A)
            FileHandle.standardOutput.write(data)
        } else {
            print(archive.report.table(), terminator: "")
        }
        if archive.series.isEmpty {
            FileHandle.standardError.write(Data("octarc inspect: no readable OCT series\n".utf8))
            throw ExitCode.failure
        }
    }
}
