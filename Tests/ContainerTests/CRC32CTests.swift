import TestSupport
import Testing

@testable import Container

@Suite struct CRC32CTests {}

extension CRC32CTests {
    @Test func knownCheckValues() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // RFC 3720 (iSCSI) B.4: 32 bytes of zeros, of 0xFF, and ascending 0...31.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    }

    @Test func tableDrivenBlocksMatchTheBitwiseDefinition() {
        var generator = SeededGenerator(seed: 9)
        for length in 0..<100 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            #expect(CRC32C.checksum(bytes) == ~crc)
            let split = length / 3
            #expect(CRC32C.checksum(bytes[split...], continuing: CRC32C.checksum(bytes[..<split])) == ~crc)
        }
    }

    /// The instruction path (where this CPU has it) and the tables agree at every length and
    /// alignment, and across a split.
    @Test func instructionMatchesTheTables() {
        var generator = SeededGenerator(seed: 21)
        let bytes = (0..<4200).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes.withUnsafeBytes { all in
            for start in 0..<9 {
                for length in [0, 1, 7, 8, 9, 63, 64, 65, 1000, 4000 + start] {
                    let part = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                    let crc = UInt32(truncatingIfNeeded: length &* 2_654_435_761)
                    #expect(CRC32C.checksum(part, continuing: crc) == CRC32C.tableChecksum(part, continuing: crc))
                }
            }
        }
    }
}
