import PACS

/// The DICOM node a convert read from, as whom, and the query that chose the series.
public struct ManifestSource: Codable, Sendable, Equatable {
    /// `AET@HOST:PORT`.
    public var node: String
    public var callingAETitle: String
    public var query: PACSQuery

    public init(node: String, callingAETitle: String, query: PACSQuery) {
        self.node = node
        self.callingAETitle = callingAETitle
        self.query = query
    }

    enum CodingKeys: String, CodingKey {
        case node, query
        case callingAETitle = "calling_ae_title"
    }
}
