import ArgumentParser
import Dispatch
import Foundation
import Imaging
import Preprocessing
import Support

/// Speed and accuracy of the preprocessing stage on the shared development data: despeckling
/// against the Bioptigen averaged frames, segmentation against the CASEREL references, and ms per
/// frame per stage on the Duke dev volume. Run through `Scripts/bench-preprocessing` (release
/// build, pinned to one core).
@main
struct PreprocessingBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-preprocessing",
        abstract: "Time the preprocessing stages and measure despeckling and segmentation accuracy.")

    @Option(help: "The shared data folder (with train/ and dev/).")
    var data: String = "../shared/data"

    @Option(help: "Threads for the across-frames run.")
    var threads: Int = 2

    @Option(
        help:
            "Comma-separated sections to run: metrics, despeckle, segmentation, stages, parallel, digest (not in the default)."
    )
    var sections: String = "metrics,despeckle,segmentation,stages,parallel"

    @Option(help: "Use only the first N frames of the Duke volume for stages and parallel (a quick run).")
    var frames: Int?

    @Flag(
        help: "Leave glibc's allocator thresholds at their defaults (octarc raises them, and so does this by default).")
    var defaultAllocator = false

    func run() throws {
        if !defaultAllocator { FrameBufferHeap.keepFreedBuffers() }
        let root = URL(fileURLWithPath: data)
        let chosen = Set(sections.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        if chosen.contains("metrics") { try metricsTime(root) }
        if chosen.contains("despeckle") { try despeckleTable(root) }
        if chosen.contains("segmentation") { try segmentationTable(root) }
        if chosen.contains("digest") { try digest(root) }
        if chosen.contains("stages") || chosen.contains("parallel") {
            let frames = Array(try Self.dukeFrames(root).prefix(self.frames ?? .max))
            if chosen.contains("stages") { stageTimes(frames) }
            if chosen.contains("parallel") { parallelTime(frames) }
        }
    }

    /// One SHA-256 over everything `Preprocessor.analyze` returns (despeckled pixels, boundaries,
    /// LBM, the ROI record, the noise σ) for the Duke dev volume, the Bioptigen dev frames and the
    /// Spectralis crops, old and adaptive preprocessing: a change meant only to be faster must
    /// leave it as it was.
    func digest(_ root: URL) throws {
        var urls = try Self.pngs(in: root.appendingPathComponent("dev/duke/subject07"))
        for subject in Self.bioptigenSubjects(root) where subject.path.contains("/dev/") {
            urls += try Self.pngs(in: subject)
        }
        urls += (try? Self.pngs(in: root.appendingPathComponent("dev/spectralis"))) ?? []
        var hash = SHA256()
        for url in urls {
            let frame = try PNGFrame.read(url)
            for parameters in [PreprocessingParameters(), PreprocessingParameters(despeckle: .adaptive)] {
                let analysis = Preprocessor(parameters: parameters).analyze(frame.image, padding: frame.padding)
                analysis.despeckled.pixels.withUnsafeBytes { hash.update($0) }
                for rows in [analysis.ilm, analysis.boundaries.isos, analysis.bm, analysis.lbm] {
                    rows.map { Int32($0) }.withUnsafeBytes { hash.update($0) }
                }
                hash.update(ROIRecord.encode(analysis.geometry))
                withUnsafeBytes(of: analysis.noiseSigma.bitPattern) { hash.update($0) }
                hash.update([analysis.retinaFound ? 1 : 0] as [UInt8])
            }
        }
        print("analyze digest over \(urls.count) frames: \(Hex.string(hash.finalize()))")
    }

    /// The PNG files in `folder`, by name.
    static func pngs(in folder: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".png") }.sorted()
            .map { folder.appendingPathComponent($0) }
    }

    static func dukeFrames(_ root: URL) throws -> [PNGFrame] {
        try pngs(in: root.appendingPathComponent("dev/duke/subject07")).map(PNGFrame.read)
    }

    /// The value of `body` and its fastest time in ms over `repeats` runs (the machine is
    /// shared, so the minimum is the honest cost of the work).
    static func elapsed<T>(repeats: Int = 3, _ body: () throws -> T) rethrows -> (T, Double) {
        let timing = try BestOf.measure(repeats, body)
        return (timing.value, timing.fastest * 1e3)
    }

    static func bioptigenSubjects(_ root: URL) -> [URL] {
        ["train", "dev"].flatMap { split -> [URL] in
            let folder = root.appendingPathComponent("\(split)/bioptigen")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            return names.sorted().map { folder.appendingPathComponent($0) }
        }
    }

    /// PSNR + SSIM + MS-SSIM of a 256 x 768 band (the codec's input size for a Spectralis frame).
    func metricsTime(_ root: URL) throws {
        let folder = root.appendingPathComponent("dev/duke/subject07")
        let a = try PNG.readGray(folder.appendingPathComponent("bscan30.png")).image.normalized(maxValue: 255)
            .cropped(x: 0, y: 96, width: 768, height: 256)
        let b = try PNG.readGray(folder.appendingPathComponent("bscan31.png")).image.normalized(maxValue: 255)
            .cropped(x: 0, y: 96, width: 768, height: 256)
        let (scores, ms) = try Self.elapsed(repeats: 5) { try Metrics.compare(a, b, dataRange: 1) }
        print(
            String(
                format: "Metrics.compare (PSNR, SSIM, MS-SSIM) on 256x768: %.2f ms (MS-SSIM %.4f)", ms, scores.msSSIM))
        print("")
    }

    func despeckleTable(_ root: URL) throws {
        let methods: [(String, DespeckleParameters)] = [
            ("raw", DespeckleParameters(method: .none)),
            ("median3+gauss1", DespeckleParameters(method: .medianGaussian, strength: 1, horizontalRatio: 1)),
            ("gauss2", DespeckleParameters(method: .gaussian, strength: 2, horizontalRatio: 1)),
            ("gauss2x6 (default)", DespeckleParameters()),
            ("guided2x6", DespeckleParameters(method: .guided)),
            ("gauss1.5x9", DespeckleParameters(method: .gaussian, strength: 1.5, horizontalRatio: 6)),
            ("adaptive bilateral", DespeckleParameters.adaptive),
        ]
        print(
            "Despeckling vs averaged.png (PSNR dB / MS-SSIM, data range 1; ms per 450x900 frame, best of 3, one thread)"
        )
        print(
            "method".padding(toLength: 20, withPad: " ", startingAt: 0)
                + " | train subj01-12 mean | dev subj13 | dev subj14 | ms")
        var frames: [(String, Image<Float>, Image<Float>)] = []
        for subject in Self.bioptigenSubjects(root) {
            let noisy = try PNG.readGray(subject.appendingPathComponent("noisy_test.png")).image.normalized(
                maxValue: 255)
            let averaged = try PNG.readGray(subject.appendingPathComponent("averaged.png")).image.normalized(
                maxValue: 255)
            frames.append((subject.lastPathComponent, noisy, averaged))
        }
        for (name, parameters) in methods {
            let despeckler = Despeckler(parameters)
            var train: [Metrics.Scores] = []
            var dev: [String: Metrics.Scores] = [:]
            var milliseconds = 0.0
            for (subject, noisy, averaged) in frames {
                // The adaptive method's time includes its noise estimate (over the whole frame here).
                let (output, ms) = Self.elapsed {
                    let sigma =
                        despeckler.needsNoiseEstimate
                        ? NoiseEstimate.sigma(noisy, boundaries: nil, padding: nil) : 0
                    return despeckler.apply(noisy, noiseSigma: sigma)
                }
                milliseconds += ms
                let clamped = output.map { min(max($0, 0), 1) }
                let scores = try Metrics.compare(clamped, averaged, dataRange: 1)
                if subject == "subj13" || subject == "subj14" { dev[subject] = scores } else { train.append(scores) }
            }
            let meanPSNR = train.map(\.psnr).reduce(0, +) / Double(max(train.count, 1))
            let meanMS = train.map(\.msSSIM).reduce(0, +) / Double(max(train.count, 1))
            func cell(_ s: Metrics.Scores?) -> String {
                s.map { String(format: "%.2f / %.3f", $0.psnr, $0.msSSIM) } ?? "-"
            }
            print(
                name.padding(toLength: 20, withPad: " ", startingAt: 0)
                    + String(format: " | %.2f / %.3f", meanPSNR, meanMS)
                    + " | \(cell(dev["subj13"])) | \(cell(dev["subj14"]))"
                    + String(format: " | %.1f", milliseconds / Double(max(frames.count, 1))))
        }
        print("")
    }

    func segmentationTable(_ root: URL) throws {
        print("Segmentation vs noisy_test_layers_auto.csv (mean |row difference| in px; max in brackets)")
        print("subject | ILM | BM | retina found")
        for subject in Self.bioptigenSubjects(root) {
            let csv = subject.appendingPathComponent("noisy_test_layers_auto.csv")
            guard let text = try? String(contentsOf: csv, encoding: .utf8) else {
                print("\(subject.lastPathComponent) | no reference CSV")
                continue
            }
            let lines = text.split(whereSeparator: \.isNewline).map {
                $0.split(separator: ",").compactMap { Double($0) }
            }
            let frame = try PNG.readGray(subject.appendingPathComponent("noisy_test.png")).image.normalized(
                maxValue: 255)
            let found = LayerSegmenter().segment(frame)
            func error(_ rows: [Int], _ reference: [Double]) -> (Double, Double) {
                let differences = zip(rows, reference).map { abs(Double($0) - ($1 - 1)) }
                return (differences.reduce(0, +) / Double(differences.count), differences.max() ?? 0)
            }
            let ilm = error(found.ilm, lines[0])
            let bm = error(found.bm, lines[5])
            print(
                String(
                    format: "%@ | %.2f (%.0f) | %.2f (%.0f) | %@", subject.lastPathComponent, ilm.0, ilm.1,
                    bm.0, bm.1, found.retinaFound ? "yes" : "NO"))
        }
        print("")
    }

    func stageTimes(_ frames: [PNGFrame]) {
        stageTimes(frames, parameters: PreprocessingParameters(), label: "gauss2x6 (old profiles)")
        stageTimes(frames, parameters: PreprocessingParameters(despeckle: .adaptive), label: "adaptive bilateral")
    }

    func stageTimes(_ frames: [PNGFrame], parameters: PreprocessingParameters, label: String) {
        guard !frames.isEmpty else { return }
        print("preprocessing: \(label)")
        var despeckle = 0.0
        var segment = 0.0
        var whole = 0.0
        var extract = 0.0
        var insert = 0.0
        var recordBytes = 0
        var found = 0
        var tall = 0
        for frame in frames {
            let paddingImage = frame.padding?.image
            despeckle +=
                Self.elapsed {
                    let despeckler = Despeckler(parameters.despeckle)
                    let sigma =
                        despeckler.needsNoiseEstimate
                        ? NoiseEstimate.sigma(frame.image, boundaries: nil, padding: frame.padding) : 0
                    return despeckler.apply(frame.image, padding: paddingImage, noiseSigma: sigma)
                }.1
            segment += Self.elapsed { LayerSegmenter().segment(frame.image, padding: frame.padding) }.1
            let (analysis, ms) = Self.elapsed {
                Preprocessor(parameters: parameters).analyze(frame.image, padding: frame.padding)
            }
            whole += ms
            let (band, extractMS) = Self.elapsed { analysis.band }
            extract += extractMS
            insert += Self.elapsed { analysis.geometry.insertBand(band) }.1
            recordBytes += ROIRecord.encode(analysis.geometry).count
            if analysis.retinaFound { found += 1 }
            if analysis.geometry.bandHeight > parameters.bandHeight { tall += 1 }
        }
        let n = Double(frames.count)
        print(
            "Stages on dev/duke/subject07 (\(frames.count) frames, 496x768), ms per frame (best of 3 per frame), one thread:"
        )
        print(
            String(
                format: "despeckle %.2f | segment %.2f | analyze (all) %.2f | extract band %.2f | insert band %.2f",
                despeckle / n, segment / n, whole / n, extract / n, insert / n))
        print(
            String(
                format: "ROI record %.0f bytes per frame; retina found in %d of %d; bands taller than %d: %d",
                Double(recordBytes) / n, found, frames.count, parameters.bandHeight, tall))
    }

    func parallelTime(_ frames: [PNGFrame]) {
        guard !frames.isEmpty else { return }
        let parameters = PreprocessingParameters()
        let workers = max(threads, 1)
        let (_, wall) = Self.elapsed(repeats: 1) {
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for index in stride(from: worker, to: frames.count, by: workers) {
                    let analysis = Preprocessor(parameters: parameters).analyze(
                        frames[index].image, padding: frames[index].padding)
                    _ = analysis.band
                }
            }
        }
        print(
            String(
                format: "analyze + extract band across %d frames on %d threads: %.2f ms per frame (wall)",
                frames.count, workers, wall / Double(frames.count)))
    }
}
