import Container

/// What a golden container must read back as, stored as JSON beside it (blobs in hex) so that the
/// expectation of every released version is frozen with its file.
struct GoldenContent: Codable, Equatable {
    struct Geometry: Codable, Equatable {
        var rows, columns, frames, bitsAllocated, bitsStored, highBit, pixelRepresentation: Int
        var photometricInterpretation: String
        var pixelPaddingValue: Int32?
    }
    struct Instance: Codable, Equatable {
        var sopInstanceUID, sopClassUID, transferSyntaxUID: String
        var geometry: Geometry
        var pixelDataByteCount: Int
        var headerDataset: String
    }
    struct Header: Codable, Equatable {
        var toolVersion, profileName, profileWeightsSHA256: String
        var studyInstanceUID, seriesInstanceUID, patientID: String
        var properties: [String: String]
        var instances: [Instance]
    }
    struct Record: Codable, Equatable {
        var instanceIndex, frameIndex: Int
        /// Version 1 only (later versions have no mode byte).
        var mode: UInt8?
        var roi, bitstream: String
        var pixelChecksum: UInt32?
    }
    struct Location: Codable, Equatable {
        var instanceIndex, frameIndex, offset, length: Int
    }

    var formatVersion: Int
    var header: Header
    var records: [Record]
    var locations: [Location]
    var accounting: ByteAccounting

    init(reader: OctzReader) throws {
        let header = reader.header
        formatVersion = reader.formatVersion
        self.header = Header(
            toolVersion: header.toolVersion, profileName: header.profileName,
            profileWeightsSHA256: Self.hex(header.profileWeightsSHA256), studyInstanceUID: header.studyInstanceUID,
            seriesInstanceUID: header.seriesInstanceUID, patientID: header.patientID, properties: header.properties,
            instances: header.instances.map { instance in
                let g = instance.geometry
                return Instance(
                    sopInstanceUID: instance.sopInstanceUID, sopClassUID: instance.sopClassUID,
                    transferSyntaxUID: instance.transferSyntaxUID,
                    geometry: Geometry(
                        rows: g.rows, columns: g.columns, frames: g.frames,
                        bitsAllocated: g.bitsAllocated, bitsStored: g.bitsStored,
                        highBit: g.highBit, pixelRepresentation: g.pixelRepresentation,
                        photometricInterpretation: g.photometricInterpretation,
                        pixelPaddingValue: g.pixelPaddingValue),
                    pixelDataByteCount: instance.pixelDataByteCount,
                    headerDataset: Self.hex(instance.headerDataset))
            })
        records = try (0..<reader.recordCount).map { index in
            let record = try reader.record(at: index)
            return Record(
                instanceIndex: record.instanceIndex, frameIndex: record.frameIndex, mode: record.version1Mode?.rawValue,
                roi: Self.hex(record.roi), bitstream: Self.hex(record.bitstream),
                pixelChecksum: record.pixelChecksum)
        }
        locations = reader.recordLocations.map {
            Location(instanceIndex: $0.instanceIndex, frameIndex: $0.frameIndex, offset: $0.offset, length: $0.length)
        }
        accounting = reader.accounting
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
