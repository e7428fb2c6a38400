extension ContainerHeader {
    /// The first rule the header breaks, or nil. The writer and the reader apply the same rules.
    func violation() -> String? {
        var strings: [(String, String)] = [
            ("tool version", toolVersion), ("profile name", profileName),
            ("study instance UID", studyInstanceUID), ("series instance UID", seriesInstanceUID),
            ("patient ID", patientID),
        ]
        for (key, value) in properties {
            strings += [("property key", key), ("property \(key)", value)]
        }
        for (index, instance) in instances.enumerated() {
            strings += [
                ("instance \(index) SOP instance UID", instance.sopInstanceUID),
                ("instance \(index) SOP class UID", instance.sopClassUID),
                ("instance \(index) transfer syntax UID", instance.transferSyntaxUID),
                ("instance \(index) photometric interpretation", instance.geometry.photometricInterpretation),
            ]
        }
        if let (name, _) = strings.first(where: { $0.1.utf8.count > OctzFormat.maximumStringBytes }) {
            return "\(name) is longer than \(OctzFormat.maximumStringBytes) bytes"
        }
        guard profileWeightsSHA256.count == OctzFormat.profileDigestSize else {
            return
                "the profile weights SHA-256 has \(profileWeightsSHA256.count) bytes, not \(OctzFormat.profileDigestSize)"
        }
        guard !instances.isEmpty else { return "no instances" }
        guard instances.count <= Int(UInt32.max) else { return "\(instances.count) instances" }
        for (index, instance) in instances.enumerated() {
            if let problem = instance.violation() { return "instance \(index): \(problem)" }
        }
        let datasetBytes = instances.reduce(0) { $0 + $1.headerDataset.count }
        guard datasetBytes <= OctzFormat.maximumHeaderDatasetBytes else {
            return "the header datasets total \(datasetBytes) bytes (at most \(OctzFormat.maximumHeaderDatasetBytes))"
        }
        return nil
    }
}

extension InstanceInfo {
    func violation() -> String? {
        guard pixelDataByteCount >= 0 else { return "negative pixel data byte count" }
        return geometry.violation()
    }
}

extension PixelGeometry {
    func violation() -> String? {
        guard (1...65_535).contains(rows), (1...65_535).contains(columns) else {
            return "\(rows) x \(columns) pixels (each 1...65535)"
        }
        guard (1...Int(UInt32.max)).contains(frames) else { return "\(frames) frames" }
        guard (1...64).contains(bitsAllocated), (1...bitsAllocated).contains(bitsStored),
            (bitsStored - 1..<bitsAllocated).contains(highBit)
        else {
            return "bits allocated \(bitsAllocated), stored \(bitsStored), high bit \(highBit) are inconsistent"
        }
        guard pixelRepresentation == 0 || pixelRepresentation == 1 else {
            return "pixel representation \(pixelRepresentation) (0 or 1)"
        }
        return nil
    }
}
