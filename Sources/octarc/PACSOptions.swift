import ArgumentParser
import PACS

/// How octarc talks to a DICOM node: its own AE title and the timeouts.
struct PACSConnectionOptions: ParsableArguments {
    @Option(name: .customLong("calling-aet"), help: "octarc's AE title, as the node knows it.")
    var callingAET: String = "OCTARC"

    @Option(name: .customLong("connect-timeout"), help: "Seconds to wait for the TCP connection.")
    var connectTimeout: Int = 10

    @Option(name: .customLong("association-timeout"), help: "Seconds to wait for the node to accept the association.")
    var associationTimeout: Int = 30

    @Option(name: .customLong("response-timeout"), help: "Seconds to wait for each answer of the node.")
    var responseTimeout: Int = 60

    @Option(
        name: .customLong("move-port"),
        help: ArgumentHelp(
            "Retrieve with C-MOVE to octarc listening on this port, instead of C-GET (for nodes that refuse C-GET).",
            discussion: "The node must know the calling AE title with this machine's address and this port."))
    var movePort: UInt16?

    func validate() throws {
        if connectTimeout < 1 || associationTimeout < 1 || responseTimeout < 1 {
            throw ValidationError("timeouts are whole seconds, at least 1")
        }
    }

    func client(for address: String) throws -> PACSClient {
        var client = try PACSClient(
            node: DICOMNode(parsing: address), callingAETitle: callingAET,
            timeouts: .init(connect: connectTimeout, association: associationTimeout, response: responseTimeout))
        client.movePort = movePort
        return client
    }
}
