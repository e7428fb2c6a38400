import Foundation
import Neural
import TestSupport
import Testing

/// Neural errors keep the lower layer's error (file system, JSON) they were made from.
@Suite struct NeuralErrorCauseTests {}

extension NeuralErrorCauseTests {
    @Test func anUnreadableWeightsFileKeepsTheFileSystemsError() throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.safetensors")
        let error = #expect(throws: NeuralError.self) { try SafeTensors(contentsOf: missing) }
        #expect(error?.underlying != nil)
        #expect(error?.description.hasPrefix("\(missing.path): cannot read") == true)
        #expect(error?.description.contains("NSCocoaErrorDomain") == false)
    }

    @Test func aHeaderThatIsNotJSONKeepsTheParsersError() throws {
        let header = Array("{not json}".utf8)
        let data = Data((0..<8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) } + header)
        let error = #expect(throws: NeuralError.self) { try SafeTensors(data: data, source: "bad.safetensors") }
        #expect(error?.underlying != nil)
        #expect(error?.description == "bad.safetensors: header is not valid JSON")
    }

    @Test func problemsFoundInTheFileItselfHaveNoCause() throws {
        let error = #expect(throws: NeuralError.self) {
            try SafeTensors(data: Data([1, 2]), source: "cut.safetensors")
        }
        #expect(error?.underlying == nil)
    }
}
