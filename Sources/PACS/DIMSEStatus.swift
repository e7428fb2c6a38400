/// DICOM status codes (PS3.7 Annex C) as people read them.
public enum DIMSEStatus {
    public static func isSuccess(_ status: UInt16) -> Bool { status == 0 }
    public static func isWarning(_ status: UInt16) -> Bool { status == 0x0001 || (0xB000...0xBFFF).contains(status) }

    /// `0xA700 (refused: out of resources)` and the like.
    public static func describe(_ status: UInt16) -> String {
        let hex = "0x" + String(status, radix: 16, uppercase: true).leftPadded(to: 4)
        let meaning: String
        switch status {
        case 0x0000: meaning = "success"
        case 0x0001, 0xB000...0xBFFF: meaning = "warning"
        case 0x0110: meaning = "processing failure"
        case 0x0111: meaning = "duplicate SOP instance"
        case 0x0117: meaning = "invalid object instance"
        case 0x0122: meaning = "SOP class not supported"
        case 0x0124: meaning = "not authorized"
        case 0x0211: meaning = "unrecognized operation"
        case 0xA700...0xA7FF: meaning = "refused: out of resources"
        case 0xA800...0xA8FF: meaning = "refused: move destination unknown"
        case 0xA900...0xA9FF: meaning = "error: data set does not match SOP class"
        case 0xC000...0xCFFF: meaning = "error: cannot understand"
        case 0xFE00: meaning = "cancelled"
        case 0xFFFF: meaning = "not sent"
        default: meaning = "failure"
        }
        return "\(hex) (\(meaning))"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
