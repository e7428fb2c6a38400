import PACS
import Testing

@Suite struct DICOMNodeTests {}

extension DICOMNodeTests {
    @Test func parsesTitleHostAndPort() throws {
        let node = try DICOMNode(parsing: "ORTHANC@127.0.0.1:4242")
        #expect(node == DICOMNode(aeTitle: "ORTHANC", host: "127.0.0.1", port: 4242))
        #expect(node.description == "ORTHANC@127.0.0.1:4242")
        let v6 = try DICOMNode(parsing: "PACS@[::1]:104")
        #expect(v6.host == "::1" && v6.port == 104 && v6.description == "PACS@[::1]:104")
    }

    @Test(arguments: [
        "ORTHANC127.0.0.1:4242", "ORTHANC@127.0.0.1", "ORTHANC@127.0.0.1:0", "ORTHANC@127.0.0.1:70000",
        "@127.0.0.1:4242", "WAY_TOO_LONG_AE_TITLE@h:1", "A\\B@h:1", "ORTHANC@:4242",
    ])
    func rejectsMalformedAddresses(_ text: String) {
        #expect {
            try DICOMNode(parsing: text)
        } throws: { error in
            (error as? PACSError)?.kind == .invalidAddress && "\(error)".contains(text)
        }
    }

    @Test func checksStudyDateRanges() throws {
        for good in ["20200101", "20200101-20201231", "20200101-", "-20201231"] {
            try PACSQuery.checkDateRange(good)
        }
        for bad in ["2020", "-", "20200101-2020", "yesterday"] {
            #expect(throws: PACSError.self) { try PACSQuery.checkDateRange(bad) }
        }
    }

    @Test func describesStatusCodes() {
        #expect(DIMSEStatus.describe(0xA700) == "0xA700 (refused: out of resources)")
        #expect(DIMSEStatus.describe(0x0000) == "0x0000 (success)")
        #expect(DIMSEStatus.isWarning(0xB007) && !DIMSEStatus.isWarning(0xC000))
    }
}
