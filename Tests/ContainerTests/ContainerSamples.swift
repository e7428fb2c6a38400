import Container
import EntropyCoding
import TestSupport

/// Headers and records for container tests, built deterministically from a seed.
enum ContainerSamples {
    static func randomBytes(_ count: Int, _ generator: inout SeededGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Bytes that look like a DICOM header dataset: repetitive tags with some variable values.
    static func dataset(_ count: Int, _ generator: inout SeededGenerator) -> [UInt8] {
        (0..<count).map { index in index % 16 < 8 ? UInt8(index % 16) : UInt8.random(in: 0x30...0x39, using: &generator)
        }
    }

    static func header(
        instances: Int, framesEach: Int, datasetBytes: Int,
        _ generator: inout SeededGenerator
    ) -> ContainerHeader {
        ContainerHeader(
            toolVersion: "0.1.0", profileName: "cr40", profileWeightsSHA256: randomBytes(32, &generator),
            studyInstanceUID: "1.2.826.0.1.3680043.8.498.1", seriesInstanceUID: "1.2.826.0.1.3680043.8.498.2",
            patientID: "PAT-Ünïcødé-7", properties: ["quality": "40", "despeckle": "bm3d-lite", "": "empty key"],
            instances: (0..<instances).map { index in
                InstanceInfo(
                    sopInstanceUID: "1.2.826.0.1.3680043.8.498.3.\(index)",
                    sopClassUID: "1.2.840.10008.5.1.4.1.1.77.1.5.4",
                    transferSyntaxUID: "1.2.840.10008.1.2.1",
                    geometry: PixelGeometry(
                        rows: 496, columns: 768, frames: framesEach, bitsAllocated: 8,
                        bitsStored: 8, highBit: 7, pixelRepresentation: 0,
                        photometricInterpretation: "MONOCHROME2",
                        pixelPaddingValue: index % 2 == 0 ? 255 : nil),
                    pixelDataByteCount: 496 * 768 * framesEach,
                    headerDataset: dataset(datasetBytes, &generator))
            })
    }

    /// One record for every `stride`-th frame of every instance, with real latent bitstreams.
    static func records(
        for header: ContainerHeader, stride: Int = 1, latentSymbols: Int = 400,
        _ generator: inout SeededGenerator
    ) throws -> [FrameRecord] {
        let model = try SymbolModel(counts: [[2, 30, 400, 3000, 400, 30, 2], [1, 3, 40, 900, 40, 3, 1]])
        var records: [FrameRecord] = []
        for (instance, info) in header.instances.enumerated() {
            for frame in Swift.stride(from: 0, to: info.geometry.frames, by: stride) {
                let symbols = (0..<latentSymbols).map { _ in
                    Int32(3 + Int.random(in: -1...1, using: &generator) * Int.random(in: 0...1, using: &generator))
                }
                let wholeFrame = frame % 5 == 4
                records.append(
                    FrameRecord(
                        instanceIndex: instance, frameIndex: frame,
                        roi: wholeFrame ? [] : dataset(Int.random(in: 20...200, using: &generator), &generator),
                        bitstream: LatentCoder.encode(symbols, model: model),
                        pixelChecksum: frame % 3 == 0 ? UInt32.random(in: 0...UInt32.max, using: &generator) : nil))
            }
        }
        return records
    }
}
