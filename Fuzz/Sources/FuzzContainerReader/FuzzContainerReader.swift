import Container

/// Any bytes: the reader either opens them and every record reads or fails with a ContainerError naming
/// that record, or it fails to open with a ContainerError. Anything else (a crash, another error type,
/// a hang, a sanitizer report) is a finding. Each input is read as is, with its checksums repaired, as
/// header metadata, and as an index (see ``ContainerSurgery``).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzContainerReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    read(bytes)
    read(ContainerSurgery.repairingChecksums(bytes))
    read(ContainerSurgery.containerAroundMetadata(bytes))
    read(ContainerSurgery.templateWithIndex(bytes))
    return 0
}

private func read(_ bytes: [UInt8]) {
    do {
        let reader = try OctzReader(bytes: bytes, name: "fuzz.octz")
        precondition(reader.accounting.total == bytes.count, "accounting does not add up to the file size")
        for index in 0..<reader.recordCount {
            do {
                let record = try reader.record(at: index)
                let location = reader.recordLocations[index]
                precondition(record.instanceIndex == location.instanceIndex && record.frameIndex == location.frameIndex)
            } catch let error as ContainerError {
                guard case .record(index, _, _) = error.part else {
                    fatalError("record \(index) error names \(error.part)")
                }
            }
        }
    } catch let error as ContainerError {
        precondition(error.description.hasPrefix("fuzz.octz: "))
    } catch {
        fatalError("not a ContainerError: \(error)")
    }
}
