/// A DICOM application entity on the network, written `AET@HOST:PORT` (e.g. `ORTHANC@pacs.local:4242`).
public struct DICOMNode: Sendable, Hashable, Codable, CustomStringConvertible {
    public var aeTitle: String
    public var host: String
    public var port: UInt16

    public init(aeTitle: String, host: String, port: UInt16) {
        self.aeTitle = aeTitle
        self.host = host
        self.port = port
    }

    /// Parses `AET@HOST:PORT`; an IPv6 host goes in brackets (`AET@[::1]:104`).
    public init(parsing text: String) throws(PACSError) {
        func bad(_ why: String) -> PACSError {
            PACSError(.invalidAddress, "\"\(text)\" is not a DICOM node (AET@HOST:PORT): \(why)")
        }
        guard let at = text.lastIndex(of: "@") else { throw bad("no @") }
        let title = String(text[..<at])
        let address = text[text.index(after: at)...]
        guard let colon = address.lastIndex(of: ":") else { throw bad("no :PORT") }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = UInt16(address[address.index(after: colon)...]), port > 0 else {
            throw bad("the port is not 1-65535")
        }
        guard !host.isEmpty else { throw bad("no host") }
        do {
            try Self.checkAETitle(title, what: "AE title")
        } catch {
            throw bad(error.message)
        }
        self.init(aeTitle: title, host: host, port: port)
    }

    /// An AE title: 1-16 characters of the default repertoire, no backslash or control characters,
    /// not only spaces.
    public static func checkAETitle(_ title: String, what: String = "AE title") throws(PACSError) {
        let valid =
            (1...16).contains(title.utf8.count) && title.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C }
            && title.contains(where: { $0 != " " })
        if !valid {
            throw PACSError(
                .invalidAddress, "\(what) \"\(title)\" is not valid: 1 to 16 printable ASCII characters, no backslash")
        }
    }

    public var description: String {
        "\(aeTitle)@\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}
