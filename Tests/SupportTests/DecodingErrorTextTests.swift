import Foundation
import Support
import Testing

@Suite struct DecodingErrorTextTests {
    struct Inner: Decodable { var strength: Double }
    struct Document: Decodable {
        var name: String
        var inner: Inner
        var levels: [Int]
    }

    func describe(_ json: String) -> String {
        do {
            _ = try JSONDecoder().decode(Document.self, from: Data(json.utf8))
            return "decoded"
        } catch {
            return DecodingErrorText.describe(error)
        }
    }

    /// Each kind of decoding failure in words, with the path of the value, never the error's type dump.
    @Test func decodingFailuresAreDescribedWithTheirPath() {
        #expect(describe(#"{"inner": {"strength": 1}, "levels": []}"#) == #"missing "name""#)
        #expect(describe(#"{"name": "a", "inner": {}, "levels": []}"#) == #"missing "inner.strength""#)
        #expect(
            describe(#"{"name": "a", "inner": {"strength": "x"}, "levels": []}"#) == "inner.strength: expected a number"
        )
        #expect(
            describe(#"{"name": "a", "inner": {"strength": 1}, "levels": [1, "2"]}"#)
                == "levels[1]: expected an integer")
        #expect(describe(#"{"name": null, "inner": {"strength": 1}, "levels": []}"#).hasPrefix("name: "))
        #expect(describe("{not json") == "not valid JSON")
        #expect(DecodingErrorText.describe(CocoaError(.fileNoSuchFile)).isEmpty == false)
    }
}
