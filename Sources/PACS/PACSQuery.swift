import Foundation

/// Which series to take from a node: studies by UID, patient or study date, then series by modality.
public struct PACSQuery: Sendable, Codable, Equatable {
    /// Study Instance UIDs (empty: any).
    public var studyInstanceUIDs: [String]
    public var patientID: String?
    /// A DICOM date range, `YYYYMMDD-YYYYMMDD` (either end may be left open).
    public var studyDate: String?
    /// Series modality (OPT: ophthalmic tomography).
    public var modality: String

    public init(
        studyInstanceUIDs: [String] = [], patientID: String? = nil, studyDate: String? = nil, modality: String = "OPT"
    ) {
        self.studyInstanceUIDs = studyInstanceUIDs
        self.patientID = patientID
        self.studyDate = studyDate
        self.modality = modality
    }

    enum CodingKeys: String, CodingKey {
        case patientID = "patient_id"
        case studyDate = "study_date"
        case modality
        case studyInstanceUIDs = "study_instance_uids"
    }

    /// Checks a `--study-date` value: `FROM-TO`, `FROM-` or `-TO` with dates as YYYYMMDD, or one date.
    public static func checkDateRange(_ text: String) throws(PACSError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let isDate = { (part: Substring) in part.count == 8 && part.allSatisfy(\.isNumber) }
        let valid =
            (parts.count == 1 && isDate(parts[0]))
            || (parts.count == 2 && (parts[0].isEmpty || isDate(parts[0])) && (parts[1].isEmpty || isDate(parts[1]))
                && !(parts[0].isEmpty && parts[1].isEmpty))
        if !valid {
            throw PACSError(
                .invalidAddress, "study date \"\(text)\" is not YYYYMMDD, YYYYMMDD-YYYYMMDD, YYYYMMDD- or -YYYYMMDD")
        }
    }
}

/// An instance as the node lists it.
public struct PACSInstance: Sendable, Codable, Equatable {
    public var sopInstanceUID: String
    public var sopClassUID: String
    /// Number of Frames, when the node reports it.
    public var frames: Int?
}

/// A series the node holds, with its instances.
public struct PACSSeries: Sendable, Equatable {
    public var studyInstanceUID: String
    public var seriesInstanceUID: String
    public var patientID: String
    public var modality: String
    public var instances: [PACSInstance]
}

extension PACSClient {
    private static let studyUID = Key(0x0020, 0x000D), seriesUID = Key(0x0020, 0x000E), patientID = Key(0x0010, 0x0020)
    private static let studyDate = Key(0x0008, 0x0020), modality = Key(0x0008, 0x0060)
    private static let sopInstanceUID = Key(0x0008, 0x0018), sopClassUID = Key(0x0008, 0x0016)
    private static let numberOfFrames = Key(0x0028, 0x0008), compressionMethod = Key(0x0028, 0x2114)

    /// Lossy Image Compression Method of the instances octarc restores: a restore --to puts them in
    /// the original's series, and a convert must not take them for originals.
    public static let octarcCompressionMethod = "OCTARC_CNN"

    /// The series matching `query`, each with its instances: C-FIND at study, then series, then
    /// instance level. Instances octarc restored (compression method OCTARC_CNN) are left out.
    /// Sorted by study and series UID.
    public func series(matching query: PACSQuery) throws(PACSError) -> [PACSSeries] {
        let studies = try find(
            level: .study,
            keys: [
                (Self.studyUID, query.studyInstanceUIDs.joined(separator: "\\")),
                (Self.patientID, query.patientID ?? ""),
                (Self.studyDate, query.studyDate ?? ""),
            ])
        var result: [PACSSeries] = []
        for study in studies {
            guard let studyUID = study[Self.studyUID], !studyUID.isEmpty else { continue }
            if !query.studyInstanceUIDs.isEmpty && !query.studyInstanceUIDs.contains(studyUID) { continue }
            let series = try find(
                level: .series,
                keys: [
                    (Self.studyUID, studyUID), (Self.seriesUID, ""), (Self.modality, query.modality),
                ])
            for item in series {
                guard let seriesUID = item[Self.seriesUID], !seriesUID.isEmpty else { continue }
                let modality = item[Self.modality] ?? ""
                if !query.modality.isEmpty && !modality.isEmpty && modality != query.modality { continue }
                let instances = try find(
                    level: .instance,
                    keys: [
                        (Self.studyUID, studyUID), (Self.seriesUID, seriesUID), (Self.sopInstanceUID, ""),
                        (Self.sopClassUID, ""), (Self.numberOfFrames, ""), (Self.compressionMethod, ""),
                    ]
                ).compactMap { row -> PACSInstance? in
                    guard let uid = row[Self.sopInstanceUID], !uid.isEmpty else { return nil }
                    if (row[Self.compressionMethod] ?? "").contains(Self.octarcCompressionMethod) { return nil }
                    return PACSInstance(
                        sopInstanceUID: uid, sopClassUID: row[Self.sopClassUID] ?? "",
                        frames: row[Self.numberOfFrames].flatMap { Int($0) })
                }.sorted { $0.sopInstanceUID < $1.sopInstanceUID }
                result.append(
                    PACSSeries(
                        studyInstanceUID: studyUID, seriesInstanceUID: seriesUID,
                        patientID: study[Self.patientID] ?? "", modality: modality, instances: instances))
            }
        }
        return result.sorted {
            ($0.studyInstanceUID, $0.seriesInstanceUID) < ($1.studyInstanceUID, $1.seriesInstanceUID)
        }
    }

    /// Retrieves one series into `directory` with C-GET.
    public func retrieve(
        _ series: PACSSeries, into directory: URL, received: ((URL) -> Bool)? = nil
    ) throws(PACSError) -> RetrieveCounts {
        do {
            return try get(
                level: .series,
                keys: [(Self.studyUID, series.studyInstanceUID), (Self.seriesUID, series.seriesInstanceUID)],
                sopClasses: series.instances.map(\.sopClassUID).filter { !$0.isEmpty }, into: directory,
                received: received)
        } catch {
            throw error.about("series \(series.seriesInstanceUID)")
        }
    }
}
