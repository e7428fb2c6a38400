import Foundation
import Neural
import TestSupport
import Testing

/// The safetensors reader: valid files, and every way a file can lie about its contents.
@Suite struct SafeTensorsTests {
    static func sample() throws -> Data {
        var writer = SafeTensorsWriter()
        writer.add("conv.weight", shape: [2, 1, 1, 3], values: [1, -2, 3.5, 0, 1e-7, -0])
        writer.add("conv.bias", shape: [2], values: [0.25, -0.75])
        writer.add("symbols", shape: [3], values: [Int32(-1), 0, 7])
        return try writer.data()
    }

    static func reason(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as NeuralError {
            return error.description
        } catch {
            return "\(error)"
        }
    }
}

extension SafeTensorsTests {
    @Test func readsTensors() throws {
        let file = try SafeTensors(data: Self.sample(), source: "sample.safetensors")
        #expect(file.names == ["conv.bias", "conv.weight", "symbols"])
        #expect(try file.shape("conv.weight") == [2, 1, 1, 3])
        #expect(try file.floats("conv.weight") == [1, -2, 3.5, 0, 1e-7, -0])
        #expect(try file.floats("conv.bias") == [0.25, -0.75])
        #expect(try file.int32s("symbols") == [-1, 0, 7])
    }

    @Test func readsCommittedWeights() throws {
        let url = Fixtures.testData.appendingPathComponent("neural/tiny-slim/weights.safetensors")
        let file = try SafeTensors(contentsOf: url)
        #expect(try file.shape("encoder.layers.0.conv.weight") == [4, 1, 7, 7])
        #expect(file.metadata["format"] == "pt")
    }

    @Test func namesAnUnreadableFile() throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(
            Self.reason { _ = try SafeTensors(contentsOf: directory.appendingPathComponent("missing")) }?
                .contains("cannot read") == true)
    }

    @Test func rejectsTruncatedFiles() throws {
        let data = try Self.sample()
        for length in [0, 7, 8, 20, data.count - 1] {
            let reason = Self.reason { _ = try SafeTensors(data: data.prefix(length), source: "cut.safetensors") }
            #expect(reason?.hasPrefix("cut.safetensors: ") == true, "length \(length): \(reason ?? "accepted")")
        }
    }

    @Test func rejectsBadHeaders() throws {
        func file(_ header: String, payload: Int = 8) -> Data {
            SafeTensorsWriter.file(header: Data(header.utf8), payload: Data(count: payload))
        }
        let cases: [(Data, String)] = [
            (SafeTensorsWriter.file(header: Data(), payload: Data()) + Data([1]), "not valid JSON"),
            (file("[1, 2]"), "not a JSON object"),
            (file("{\"a\": 3}"), "entry is not an object"),
            (file("{\"a\": {\"dtype\": \"F16\", \"shape\": [4], \"data_offsets\": [0, 8]}}"), "unsupported dtype F16"),
            (file("{\"a\": {\"dtype\": \"F32\", \"shape\": [-2], \"data_offsets\": [0, 8]}}"), "shape is not"),
            (file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2.5], \"data_offsets\": [0, 8]}}"), "shape is not"),
            (
                file("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", payload: 16),
                "needs 12 bytes"
            ),
            (file("{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}"), "outside the data"),
            (file("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]}}"), "outside the data"),
            (
                file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2000000000, 2000000000, 8], \"data_offsets\": [0, 8]}}"),
                "exceeds the file"
            ),
            (
                file(
                    "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, "
                        + "\"b\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 8]}}"), "overlap"
            ),
            (file("{\"__metadata__\": {\"a\": 1}}"), "__metadata__"),
        ]
        for (data, expected) in cases {
            let reason = Self.reason { _ = try SafeTensors(data: data, source: "bad.safetensors") }
            #expect(reason?.contains(expected) == true, "\(reason ?? "accepted"), expected \(expected)")
        }
        var huge = Data()
        withUnsafeBytes(of: UInt64.max.littleEndian) { huge.append(contentsOf: $0) }
        #expect(
            Self.reason { _ = try SafeTensors(data: huge + Data(count: 16), source: "huge") }?
                .contains("exceeds the file") == true)
    }

    @Test func rejectsWrongTypeOrName() throws {
        let file = try SafeTensors(data: Self.sample(), source: "sample.safetensors")
        #expect(
            Self.reason { _ = try file.floats("symbols") } == "sample.safetensors: tensor symbols is I32, F32 expected")
        #expect(Self.reason { _ = try file.floats("nothing") } == "sample.safetensors: no tensor nothing")
    }
}
