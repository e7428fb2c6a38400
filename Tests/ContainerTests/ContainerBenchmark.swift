import Foundation
import TestSupport
import Testing

@testable import Container

/// Writing and reading speed for a volume-sized container. Prints numbers, asserts nothing about time;
/// runs only when asked: `OCTARC_BENCHMARK=1 swift test -c release --filter ContainerBenchmark`.
@Suite struct ContainerBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["OCTARC_BENCHMARK"] == "1"), arguments: [3, 19])
    func writeAndRead(level: Int) throws {
        var generator = SeededGenerator(seed: 40)
        let header = ContainerSamples.header(instances: 1, framesEach: 128, datasetBytes: 20_000, &generator)
        // A 496 x 768 frame at a codec CR of about 40: ~9 KB of bitstream; the ROI record as two 768-column
        // boundaries of 16-bit rows that drift slowly (compressible, as real ones are).
        var row = 200
        let records = (0..<128).map { frame in
            let roi = (0..<(2 * 768)).flatMap { _ -> [UInt8] in
                row = min(400, max(100, row + Int.random(in: -1...1, using: &generator)))
                return [UInt8(row & 0xFF), UInt8(row >> 8)]
            }
            return FrameRecord(
                instanceIndex: 0, frameIndex: frame, roi: roi,
                bitstream: ContainerSamples.randomBytes(9_000, &generator), pixelChecksum: UInt32(frame))
        }
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("bench.octz")
        let clock = ContinuousClock()
        var accounting = ByteAccounting()
        let writeTime = try clock.measure {
            let writer = try OctzWriter(url: url, header: header, options: .init(compressionLevel: level))
            for record in records { try writer.append(record) }
            accounting = try writer.finish()
        }
        let readTime = try clock.measure {
            let reader = try OctzReader(url: url)
            try reader.verify()
        }
        let raw = records.reduce(0) { $0 + $1.roi.count + $1.bitstream.count } + 20_000
        func rate(_ duration: Duration) -> String {
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
            return String(format: "%.1f ms (%.0f MB/s of blobs)", seconds * 1e3, Double(raw) / seconds / 1e6)
        }
        print(
            "container, 128 frames, zstd level \(level): write \(rate(writeTime)), open+verify \(rate(readTime)); "
                + accounting.categories.map { "\($0.name) \($0.bytes)" }.joined(separator: ", ")
                + ", total \(accounting.total)")
    }
}
