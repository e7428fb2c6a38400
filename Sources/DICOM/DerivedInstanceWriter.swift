import CDCMTK
import Foundation
import Imaging

/// What a lossy restore did, recorded in the derived instance.
public struct Derivation: Sendable {
    /// Derivation Description (0008,2111) of each frame's Derivation Image functional group (the
    /// place the OPT IOD has for it), at most 1024 characters.
    public var description: String
    /// Original size / compressed size, appended to Lossy Image Compression Ratio (0028,2112).
    public var compressionRatio: Double
    /// A CS value (up to 16 of A-Z, 0-9, space, underscore) appended to Lossy Image Compression
    /// Method (0028,2114).
    public var compressionMethod: String

    public init(description: String, compressionRatio: Double, compressionMethod: String) {
        self.description = description
        self.compressionRatio = compressionRatio
        self.compressionMethod = compressionMethod
    }
}

/// Writes derived (lossy restored) multi-frame OPT instances from a stored header data set and new
/// frames, following PS3.3 C.7.6.1.1.5 / C.12.4.1.1: a new SOP Instance UID (and Media Storage SOP
/// Instance UID), Image Type value 1 DERIVED, Lossy Image Compression 01, one more value of Lossy
/// Image Compression Ratio and Method (earlier values kept), and for each frame a Derivation Image
/// functional group with the Derivation Description, code 113040 "Lossy Compression" and a Source
/// Image Sequence item referencing that frame of the source instance (purpose 121320
/// "Uncompressed predecessor"). Every other attribute, private ones included, is kept.
///
/// Lossy Image Compression Method has defined terms for standard codecs only (ISO_10918_1, ...);
/// dciodvfy warns about any other term. The file is Explicit VR Little Endian, written under a temporary
/// name and renamed when complete.
///
/// ```swift
/// let writer = try DerivedInstanceWriter(uidRoot: "1.2.826.0.1.3680043.10.999")
/// let uid = try writer.write(header: header, frames: frames,
///                            derivation: Derivation(description: "octarc lossy restore", compressionRatio: 25,
///                                                   compressionMethod: "OCTARC_CNN"),
///                            to: URL(fileURLWithPath: "restored/1.dcm"))
/// ```
public struct DerivedInstanceWriter: Sendable {
    /// The root of the new SOP Instance UIDs.
    public let uidRoot: String

    /// `uidRoot`: a valid UID of at most 40 characters (default: 2.25, UUID-derived UIDs).
    public init(uidRoot: String = DICOMUID.uuidRoot) throws(DICOMError) {
        guard DICOMUID.isValid(uidRoot), uidRoot.count <= 40 else {
            throw DICOMError(
                .invalidArgument, "invalid UID root \"\(uidRoot)\" (digits and dots, at most 40 characters)",
                file: "writer settings")
        }
        self.uidRoot = uidRoot
    }

    /// Loads DCMTK's data dictionary (about 10 ms, which the first write would otherwise wait for)
    /// on the calling thread. Callers with other work first, such as restore decoding frames, run it
    /// in the background; any thread may, since DCMTK locks the dictionary while it loads.
    public static func prepare() {
        cdcm_prepare()
    }

    /// Writes `frames` (one per frame of the header, same rows, columns and Bits Stored) as a
    /// derived instance of `header` to `url`, and returns its SOP Instance UID: `sopInstanceUID` if
    /// given, else a new one under `uidRoot`. With `sourceFrames` (0-based frame indices of the
    /// source, one per frame given), the instance holds only those frames.
    @discardableResult
    public func write(
        header: HeaderDataset, frames: [Image<UInt16>], derivation: Derivation, to url: URL,
        sopInstanceUID: String? = nil, sourceFrames: [Int]? = nil
    ) throws(DICOMError) -> String {
        let file = url.path
        func invalid(_ reason: String) -> DICOMError { DICOMError(.invalidArgument, reason, file: file) }
        let geometry = try header.geometry()
        if let sourceFrames {
            guard sourceFrames.count == frames.count, !frames.isEmpty,
                sourceFrames.allSatisfy({ (0..<geometry.numberOfFrames).contains($0) })
            else {
                throw invalid(
                    "\(frames.count) frames given for source frames \(sourceFrames) of a header of \(geometry.numberOfFrames) frames"
                )
            }
        } else {
            guard frames.count == geometry.numberOfFrames else {
                throw invalid("\(frames.count) frames given for a header of \(geometry.numberOfFrames) frames")
            }
        }
        for (index, frame) in frames.enumerated() {
            guard frame.width == geometry.columns, frame.height == geometry.rows else {
                throw DICOMError(
                    .invalidArgument,
                    "frame is \(frame.height)x\(frame.width), the header says "
                        + "\(geometry.rows)x\(geometry.columns)", file: file, frame: index, frameCount: frames.count)
            }
            if let value = frame.pixels.max(), Int(value) > geometry.maxValue {
                throw DICOMError(
                    .invalidArgument, "value \(value) exceeds Bits Stored \(geometry.bitsStored)",
                    file: file, frame: index, frameCount: frames.count)
            }
        }
        let uid = sopInstanceUID ?? DICOMUID.generate(root: uidRoot)
        guard DICOMUID.isValid(uid) else { throw invalid("invalid SOP Instance UID \(uid)") }
        let ratio = Self.decimalString(derivation.compressionRatio)
        guard derivation.compressionRatio.isFinite, derivation.compressionRatio > 0, ratio.count <= 16 else {
            throw invalid("invalid Lossy Image Compression Ratio \(derivation.compressionRatio)")
        }
        let method = derivation.compressionMethod
        guard !method.isEmpty, method.count <= 16,
            method.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == " " || $0 == "_") })
        else {
            throw invalid("invalid Lossy Image Compression Method \"\(method)\" (a CS value)")
        }
        guard derivation.description.utf8.count <= 1024, !derivation.description.contains("\\") else {
            throw invalid("Derivation Description longer than 1024 characters or with a backslash")
        }

        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let status = Self.encode(
            header: header, frames: frames, sourceFrames: sourceFrames?.map { UInt32($0 + 1) } ?? [],
            bitsAllocated: geometry.bitsAllocated, uid: uid, ratio: ratio, method: method,
            description: derivation.description, path: temporary.path)
        guard status.code == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            if status.kind == .writeFailed, let free = Self.freeBytes(url.deletingLastPathComponent()),
                free < FramePixels.byteCount(frames, bytesPerSample: geometry.bitsAllocated / 8) + header.bytes.count
            {
                throw DICOMError(.writeFailed, "no space left on the device (\(free) bytes free)", file: file)
            }
            throw DICOMError(status.kind, status.text, file: file)
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw DICOMError(.writeFailed, "cannot rename the temporary file into place: \(reason)", file: file)
        }
        return uid
    }

    private static func encode(
        header: HeaderDataset, frames: [Image<UInt16>], sourceFrames: [UInt32], bitsAllocated: Int,
        uid: String, ratio: String, method: String, description: String, path: String
    ) -> cdcm_status {
        var status = cdcm_status()
        let pixels = FramePixels(frames: frames, bytesPerSample: bitsAllocated / 8)
        let context = Unmanaged.passRetained(pixels)
        defer { context.release() }
        uid.withCString { uid in
            ratio.withCString { ratio in
                method.withCString { method in
                    description.withCString { description in
                        sourceFrames.withUnsafeBufferPointer { sourceFrames in
                            var parameters = cdcm_derivation(
                                sop_instance_uid: uid, derivation_description: description,
                                compression_ratio: ratio, compression_method: method,
                                fill_pixels: { context, target, bytes in
                                    guard let context, let target else { return }
                                    Unmanaged<FramePixels>.fromOpaque(context).takeUnretainedValue()
                                        .write(to: target, bytes: bytes)
                                },
                                fill_context: context.toOpaque(), pixel_bytes: pixels.byteCount,
                                bits_allocated: Int32(bitsAllocated), source_frames: sourceFrames.baseAddress,
                                source_frame_count: sourceFrames.count)
                            header.bytes.withUnsafeBufferPointer { bytes in
                                _ = cdcm_write_derived(bytes.baseAddress, bytes.count, &parameters, path, &status)
                            }
                        }
                    }
                }
            }
        }
        return status
    }

    /// Bytes free to an unprivileged writer in the file system of `folder` (DCMTK's write errors do not
    /// say why, so a full disk is recognised by looking).
    static func freeBytes(_ folder: URL) -> Int? {
        var info = statvfs()
        guard statvfs(folder.path, &info) == 0 else { return nil }
        return Int(info.f_bavail) * Int(info.f_frsize)
    }

    /// A DS value: the shortest of up to 6 significant digits.
    private static func decimalString(_ value: Double) -> String {
        String(format: "%.6g", value)
    }
}

/// The frames' samples as native Pixel Data, written by DCMTK's request straight into its own array
/// (8-bit samples narrowed on the way), so that no joined copy of a whole instance is made.
private final class FramePixels {
    let frames: [Image<UInt16>]
    let bytesPerSample: Int
    let byteCount: Int

    init(frames: [Image<UInt16>], bytesPerSample: Int) {
        self.frames = frames
        self.bytesPerSample = bytesPerSample
        self.byteCount = Self.byteCount(frames, bytesPerSample: bytesPerSample)
    }

    /// Bytes of native Pixel Data that `frames` make (without the pad byte of an odd 8-bit length).
    static func byteCount(_ frames: [Image<UInt16>], bytesPerSample: Int) -> Int {
        frames.reduce(0) { $0 + $1.pixels.count } * bytesPerSample
    }

    func write(to target: UnsafeMutableRawPointer, bytes: Int) {
        precondition(bytes == byteCount, "Pixel Data of \(bytes) bytes asked for \(byteCount)")
        var offset = 0
        for frame in frames {
            frame.pixels.withUnsafeBufferPointer { samples in
                guard let source = samples.baseAddress else { return }
                if bytesPerSample == 2 {
                    (target + offset).copyMemory(from: source, byteCount: samples.count * 2)
                } else {
                    let narrow = (target + offset).bindMemory(to: UInt8.self, capacity: samples.count)
                    for k in 0..<samples.count { narrow[k] = UInt8(truncatingIfNeeded: source[k]) }
                }
                offset += samples.count * bytesPerSample
            }
        }
    }
}
