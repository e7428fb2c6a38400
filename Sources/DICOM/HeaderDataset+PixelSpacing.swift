/// Physical pixel size, for reporting retinal thickness in µm.
extension HeaderDataset {
    /// Pixel Spacing (0028,0030) in mm: the spacing between rows (axial, down a B-scan) and between
    /// columns. Taken from the top level, else the Shared Functional Groups' Pixel Measures, else the
    /// first frame's; nil when absent or not two positive numbers.
    public func pixelSpacing() throws(DICOMError) -> (rows: Double, columns: Double)? {
        let candidates = try attributes().filter { $0.tag == DICOMTag(0x0028, 0x0030) }
        let ranked = candidates.sorted { rank($0.path) < rank($1.path) }
        for attribute in ranked {
            let values = attribute.text.split(separator: "\\").compactMap {
                Double($0.trimmingCharacters(in: .whitespaces))
            }
            if values.count == 2, values[0] > 0, values[1] > 0, values.allSatisfy(\.isFinite) {
                return (values[0], values[1])
            }
        }
        return nil
    }

    /// Top level first, then Shared Functional Groups (5200,9229), then anything else (per-frame).
    private func rank(_ path: String) -> Int {
        if !path.contains(".") { return 0 }
        if path.hasPrefix("(5200,9229)") { return 1 }
        return 2
    }
}
