import ArgumentParser
import Foundation
import PACS

struct EchoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo",
        abstract: "Check that a DICOM node answers (C-ECHO) and accepts octarc's AE title.",
        discussion: """
            Exit status 0 when the node answers. Otherwise the message says what failed: the connection \
            (refused, unreachable, timeout), the association (rejected, with the node's reason, e.g. called \
            or calling AE title not recognized), or no presentation context accepted.
            """)

    @Argument(help: "The node, AET@HOST:PORT.")
    var node: String

    @OptionGroup var connection: PACSConnectionOptions

    func run() throws {
        let client = try connection.client(for: node)
        let started = Date()
        try client.echo()
        print(
            String(
                format: "%@ answered C-ECHO from %@ in %.0f ms", client.node.description, client.callingAETitle,
                Date().timeIntervalSince(started) * 1000))
    }
}
