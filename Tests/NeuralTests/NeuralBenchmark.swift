import Foundation
import Neural
import Support
import Testing

/// The Swift half of Scripts/bench-neural, which sets `OCTARC_NEURAL_BENCH` to a folder of profiles
/// (random weights exported by make_parity.py) and reads the `BENCH {json}` lines printed here.
/// Skipped unless that variable is set; it prints timings and asserts nothing about them.
@Suite struct NeuralBenchmark {
    static let environment = ProcessInfo.processInfo.environment
    static let directory = environment["OCTARC_NEURAL_BENCH"]

    @Test(.enabled(if: directory != nil)) func benchmark() throws {
        let directory = URL(fileURLWithPath: try #require(Self.directory))
        let threads = Int(Self.environment["OCTARC_NEURAL_BENCH_THREADS"] ?? "") ?? 1
        let repetitions = Int(Self.environment["OCTARC_NEURAL_BENCH_REPEATS"] ?? "") ?? 5
        let concurrency = Int(Self.environment["OCTARC_NEURAL_BENCH_CONCURRENT"] ?? "") ?? 0
        let sizes = (Self.environment["OCTARC_NEURAL_BENCH_SIZES"] ?? "256x256,256x768,512x768")
            .split(separator: ",").compactMap { item -> (Int, Int)? in
                let parts = item.split(separator: "x").compactMap { Int($0) }
                return parts.count == 2 ? (parts[0], parts[1]) : nil
            }
        let only = Self.environment["OCTARC_NEURAL_BENCH_PROFILES"].map {
            Set($0.split(separator: ",").map(String.init))
        }
        for url in ProfileFolder.all(in: directory) where only?.contains(url.lastPathComponent) ?? true {
            let folder = try ProfileFolder(url)
            let (encoder, decoder) = try folder.networks(threads: threads)
            // The same decoder on oneDNN, for its time beside the exact kernels' and for per-layer times.
            let oneDNN = try folder.networks(threads: threads, decoderBackend: .oneDNN).decoder
            let quantizer = try folder.quantizer()
            for (height, width) in sizes {
                let image = try Self.testImage(height: height, width: width)
                var start = DispatchTime.now().uptimeNanoseconds
                let latents = try encoder.run(["image": image])
                let encoderFirst = Self.seconds(since: start)
                let encode = try Self.timings(repetitions) { _ = try encoder.run(["image": image]) }
                var symbols: [String: [Int32]] = [:]
                let quantize = try Self.timings(repetitions) {
                    symbols = latents.mapValues { quantizer.symbols(for: $0) }
                }
                let dequantized = try latents.mapValues {
                    try quantizer.dequantize(quantizer.symbols(for: $0), shape: $0.shape)
                }
                start = DispatchTime.now().uptimeNanoseconds
                _ = try decoder.run(dequantized)
                let decoderFirst = Self.seconds(since: start)
                _ = try oneDNN.run(dequantized)
                var decode = (fastest: Double.infinity, median: Double.infinity)
                var decodeOneDNN = decode
                // Alternating, so that both see the same machine load.
                for _ in 0..<2 {
                    let exact = try Self.timings(repetitions) { _ = try decoder.run(dequantized) }
                    let other = try Self.timings(repetitions) { _ = try oneDNN.run(dequantized) }
                    decode = (min(decode.fastest, exact.fastest), min(decode.median, exact.median))
                    decodeOneDNN = (min(decodeOneDNN.fastest, other.fastest), min(decodeOneDNN.median, other.median))
                }
                let common: [String: Any] = [
                    "profile": folder.name, "height": height, "width": width, "threads": threads,
                    "symbols": symbols.values.map(\.count).reduce(0, +),
                ]
                Self.emit(
                    common.merging([
                        "network": "encoder", "seconds": encode.fastest, "median_seconds": encode.median,
                        "first_seconds": encoderFirst, "quantize_seconds": quantize.fastest,
                        "layers": try Self.layers(encoder, ["image": image], repetitions),
                    ]) { $1 })
                Self.emit(
                    common.merging([
                        "network": "decoder", "seconds": decode.fastest, "median_seconds": decode.median,
                        "first_seconds": decoderFirst, "backend": "exact",
                        "onednn_seconds": decodeOneDNN.fastest, "onednn_median_seconds": decodeOneDNN.median,
                        "layers": try Self.layers(oneDNN, dequantized, repetitions),
                    ]) { $1 })
                if concurrency > 1 {
                    let frames = concurrency * max(2, repetitions)
                    start = DispatchTime.now().uptimeNanoseconds
                    DispatchQueue.concurrentPerform(iterations: frames) { _ in
                        _ = try? decoder.run(try encoder.run(["image": image]))
                    }
                    Self.emit(
                        common.merging([
                            "network": "codec", "concurrent": concurrency, "frames": frames,
                            "seconds_per_frame": Self.seconds(since: start) / Double(frames),
                        ]) { $1 })
                }
            }
        }
    }

    static func layers(_ network: Network, _ inputs: [String: Tensor], _ repetitions: Int) throws -> [[String: Any]] {
        try network.layerTimings(inputs, repetitions: repetitions).map { layer in
            var entry: [String: Any] = [
                "name": layer.name, "implementation": layer.implementation, "flops": layer.flops,
                "seconds": layer.seconds, "output": layer.output.description,
            ]
            if let preferred = layer.preferredSeconds { entry["preferred_seconds"] = preferred }
            if let name = layer.preferredImplementation { entry["preferred_implementation"] = name }
            return entry
        }
    }

    static func emit(_ record: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]),
            let line = String(data: data, encoding: .utf8)
        else { return }
        print("BENCH \(line)")
    }

    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// Seconds of `repetitions` timed calls after one warm-up call: (fastest, median).
    static func timings(_ repetitions: Int, _ body: () throws -> Void) throws -> (fastest: Double, median: Double) {
        let timing = try BestOf.measure(repetitions, warmUp: true, body)
        return (timing.fastest, timing.median)
    }

    /// A deterministic OCT-like image in 0...1: horizontal layers with speckle.
    static func testImage(height: Int, width: Int) throws -> Tensor {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var values = [Float](repeating: 0, count: height * width)
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let noise = Float(state >> 40) / Float(1 << 24)
                let layer = sin(Float(y) / Float(height) * 18 + sin(Float(x) / 40))
                values[y * width + x] = min(1, max(0, 0.35 + 0.3 * layer + 0.3 * (noise - 0.5)))
            }
        }
        return try Tensor(shape: TensorShape(channels: 1, height: height, width: width), data: values)
    }
}
