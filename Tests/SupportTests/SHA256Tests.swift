import Foundation
import Support
import Testing

@Suite struct SHA256Tests {
    /// FIPS 180-2 test vectors, and a streamed digest equal to the one-shot digest.
    @Test func knownVectors() {
        #expect(
            Hex.string(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            Hex.string(SHA256.hash(Array("abc".utf8)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(Hex.string(SHA256.hash(million)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        var hasher = SHA256()
        for chunk in stride(from: 0, to: million.count, by: 65_537) {
            hasher.update(Array(million[chunk..<min(chunk + 65_537, million.count)]))
        }
        #expect(hasher.finalize() == SHA256.hash(million))
    }

    @Test func hexRoundTrip() {
        let bytes: [UInt8] = [0, 1, 0x7f, 0x80, 0xab, 0xff]
        #expect(Hex.string(bytes) == "00017f80abff")
        #expect(Hex.bytes("00017F80abff") == bytes)
        #expect(Hex.bytes("abc") == nil)
        #expect(Hex.bytes("zz") == nil)
    }
}
