import CDCMTKNet
import Foundation

/// A service class user talking to one DICOM node: C-ECHO, C-FIND, C-GET and C-STORE. Every call
/// opens its own association and releases it. Nothing it does deletes or changes data on the node.
public struct PACSClient: Sendable {
    /// Seconds to wait for the TCP connection, the association answer, and each DIMSE response.
    public struct Timeouts: Sendable, Equatable {
        public var connect: Int
        public var association: Int
        public var response: Int

        public init(connect: Int = 10, association: Int = 30, response: Int = 60) {
            self.connect = connect
            self.association = association
            self.response = response
        }
    }

    /// A query key: an attribute (group, element) and its value; an empty value asks the node to return it.
    public struct Key: Sendable, Hashable {
        public var group: UInt16
        public var element: UInt16
        public init(_ group: UInt16, _ element: UInt16) {
            self.group = group
            self.element = element
        }
    }

    public enum Level: String, Sendable {
        case study = "STUDY"
        case series = "SERIES"
        case instance = "IMAGE"
    }

    /// What the node reported at the end of a C-GET.
    public struct RetrieveCounts: Sendable, Equatable {
        public var completed: Int, failed: Int, warning: Int
        /// Instances written to the folder.
        public var received: Int
    }

    /// The node's answer to one C-STORE.
    public struct StoreResult: Sendable, Equatable {
        public var path: String
        /// DIMSE status; 0xFFFF when the file was not sent (unreadable, no presentation context, association lost).
        public var status: UInt16
        /// Why it was not sent, when it was not.
        public var reason: String
        public var succeeded: Bool { DIMSEStatus.isSuccess(status) || DIMSEStatus.isWarning(status) }

        public var description: String {
            let base = "\(path): \(DIMSEStatus.describe(status))"
            return reason.isEmpty ? base : "\(base): \(reason)"
        }
    }

    public var node: DICOMNode
    public var callingAETitle: String
    public var timeouts: Timeouts
    /// When set, `get` retrieves with C-MOVE to octarc itself, listening on this port (for nodes that
    /// refuse C-GET; the node must know `callingAETitle` with this host and port); otherwise C-GET.
    public var movePort: UInt16?

    public init(node: DICOMNode, callingAETitle: String = "OCTARC", timeouts: Timeouts = Timeouts()) throws(PACSError) {
        try DICOMNode.checkAETitle(callingAETitle, what: "calling AE title")
        self.node = node
        self.callingAETitle = callingAETitle
        self.timeouts = timeouts
    }

    /// C-ECHO: checks that the node is reachable and accepts this AE title.
    public func echo() throws(PACSError) {
        var status = cnet_status()
        let code = withNode { cnet_echo($0, &status) }
        try check(code, status)
    }

    /// C-FIND in the Study Root model: one dictionary per match, holding the value of every key asked
    /// (values given in `keys` are matching criteria; empty values ask for the attribute).
    public func find(level: Level, keys: [(Key, String)]) throws(PACSError) -> [[Key: String]] {
        final class Matches { var rows: [[Key: String]] = [] }
        let matches = Matches()
        var status = cnet_status()
        let code = withKeys(keys) { cKeys, count in
            withNode { node in
                cnet_find(
                    node, level.rawValue, cKeys, count,
                    { context, match, group, element, value in
                        let matches = Unmanaged<Matches>.fromOpaque(context!).takeUnretainedValue()
                        while matches.rows.count <= match { matches.rows.append([:]) }
                        matches.rows[match][Key(group, element)] = value.map { String(cString: $0) } ?? ""
                    }, Unmanaged.passUnretained(matches).toOpaque(), &status)
            }
        }
        try check(code, status)
        return matches.rows
    }

    /// C-GET (or C-MOVE, with `movePort`) in the Study Root model: every instance matching `keys` is
    /// written to `directory` as `<SOP Instance UID>.dcm` (complete files only). `received` is called
    /// after each one; returning false stops the retrieve, which then fails.
    public func get(
        level: Level, keys: [(Key, String)], sopClasses: [String], into directory: URL,
        received: ((URL) -> Bool)? = nil
    ) throws(PACSError) -> RetrieveCounts {
        final class Callback {
            let body: ((URL) -> Bool)?
            init(_ body: ((URL) -> Bool)?) { self.body = body }
        }
        let callback = Callback(received)
        var counts = cnet_retrieve_counts()
        var status = cnet_status()
        let classes = sopClasses.isEmpty ? [Self.ophthalmicTomographyStorage] : Array(Set(sopClasses)).sorted()
        let code = withKeys(keys) { cKeys, count in
            withCStrings(classes) { cClasses in
                withNode { node in
                    let received: cnet_received = { context, path, _ in
                        let callback = Unmanaged<Callback>.fromOpaque(context!).takeUnretainedValue()
                        guard let body = callback.body, let path else { return 0 }
                        return body(URL(fileURLWithPath: String(cString: path))) ? 0 : 1
                    }
                    let context = Unmanaged.passUnretained(callback).toOpaque()
                    if let movePort {
                        return cnet_move(
                            node, level.rawValue, cKeys, count, cClasses, classes.count, movePort, directory.path,
                            received, context, &counts, &status)
                    }
                    return cnet_get(
                        node, level.rawValue, cKeys, count, cClasses, classes.count, directory.path,
                        received, context, &counts, &status)
                }
            }
        }
        try check(code, status)
        return RetrieveCounts(
            completed: Int(counts.completed), failed: Int(counts.failed), warning: Int(counts.warning),
            received: Int(counts.received))
    }

    /// C-STORE of each file, on one association. A refused or failed instance is reported in its
    /// result and the rest continue; this throws only when no association can be opened (then no
    /// file was sent) or it breaks off (the results so far are in the error's message).
    public func store(_ files: [URL]) throws(PACSError) -> [StoreResult] {
        final class Results { var items: [StoreResult] = [] }
        let results = Results()
        results.items = files.map { StoreResult(path: $0.path, status: 0xFFFF, reason: "not sent") }
        var status = cnet_status()
        let code = withCStrings(files.map(\.path)) { paths in
            withNode { node in
                cnet_store(
                    node, paths, files.count,
                    { context, index, answer, message in
                        let results = Unmanaged<Results>.fromOpaque(context!).takeUnretainedValue()
                        results.items[index].status = answer
                        results.items[index].reason = message.map { String(cString: $0) } ?? ""
                    }, Unmanaged.passUnretained(results).toOpaque(), &status)
            }
        }
        if code == Int32(CNET_LOST.rawValue) || code == Int32(CNET_TIMEOUT.rawValue) {
            let sent = results.items.filter(\.succeeded).count
            throw error(code, status).about("\(sent) of \(files.count) instances stored before")
        }
        if code != Int32(CNET_OK.rawValue)
            && !results.items.contains(where: { $0.status != 0xFFFF || $0.reason != "not sent" })
        {
            try check(code, status)
        }
        return results.items
    }

    public static let ophthalmicTomographyStorage = "1.2.840.10008.5.1.4.1.1.77.1.5.4"

    // MARK: - C glue

    private func withNode<R>(_ body: (UnsafePointer<cnet_node>) -> R) -> R {
        node.host.withCString { host in
            node.aeTitle.withCString { called in
                callingAETitle.withCString { calling in
                    var cNode = cnet_node(
                        host: host, port: node.port, called_aet: called, calling_aet: calling,
                        connect_timeout: Int32(timeouts.connect), acse_timeout: Int32(timeouts.association),
                        dimse_timeout: Int32(timeouts.response))
                    return body(&cNode)
                }
            }
        }
    }

    private func withKeys<R>(_ keys: [(Key, String)], _ body: (UnsafePointer<cnet_key>?, Int) -> R) -> R {
        withCStrings(keys.map(\.1)) { values in
            let cKeys = keys.enumerated().map { index, key in
                cnet_key(group: key.0.group, element: key.0.element, value: values[index])
            }
            return cKeys.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
        }
    }

    private func error(_ code: Int32, _ status: cnet_status) -> PACSError {
        let message = withUnsafeBytes(of: status.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let kind: PACSError.Kind
        switch code {
        case Int32(CNET_REFUSED.rawValue): kind = .connectionRefused
        case Int32(CNET_REJECTED.rawValue): kind = .associationRejected
        case Int32(CNET_NO_CONTEXT.rawValue): kind = .noPresentationContext
        case Int32(CNET_TIMEOUT.rawValue): kind = .timeout
        case Int32(CNET_FAILED.rawValue): kind = .failed
        case Int32(CNET_LOST.rawValue): kind = .connectionLost
        case Int32(CNET_IO.rawValue): kind = .io
        default: kind = .protocolError
        }
        return PACSError(kind, message, status: status.dimse_status == 0 ? nil : status.dimse_status)
    }

    private func check(_ code: Int32, _ status: cnet_status) throws(PACSError) {
        if code != Int32(CNET_OK.rawValue) { throw error(code, status) }
    }
}

/// Calls `body` with NUL-terminated copies of `strings` that live for the call.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { for copy in copies { free(copy) } }
    return body(copies.map { UnsafePointer($0) })
}
