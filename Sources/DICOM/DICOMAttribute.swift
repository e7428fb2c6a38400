/// One attribute of a data set, as `HeaderDataset.attributes()` lists them.
///
/// `path` names it from the top level: `(0010,0020)` for Patient ID, or
/// `(5200,9230)[2].(0020,9111)[0].(0020,9157)` for the third frame's Dimension Index Values.
/// A sequence is listed itself (`vr` "SQ", value: its item count as text) before its items.
public struct DICOMAttribute: Equatable, Sendable {
    public let path: String
    /// The value representation, e.g. "UI", "US", "OB" ("UN" for unknown private attributes).
    public let vr: String
    /// The raw value, little endian, padding included.
    public let value: [UInt8]

    public init(path: String, vr: String, value: [UInt8]) {
        self.path = path
        self.vr = vr
        self.value = value
    }

    /// The value as text, without trailing spaces or NULs (meaningful for string VRs).
    public var text: String {
        var bytes = value[...]
        while let last = bytes.last, last == 0x20 || last == 0 { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The tag of the attribute itself (the last component of `path`).
    public var tag: DICOMTag? {
        guard let open = path.lastIndex(of: "(") else { return nil }
        let parts = path[path.index(after: open)...].dropLast().split(separator: ",")
        guard parts.count == 2, let group = UInt16(parts[0], radix: 16), let element = UInt16(parts[1], radix: 16)
        else { return nil }
        return DICOMTag(group, element)
    }
}
