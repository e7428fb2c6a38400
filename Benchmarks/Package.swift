// swift-tools-version:6.0
import PackageDescription

/// Research benchmarks on the shared data layout (`../shared/data`: train/ and dev/ with duke/ and
/// bioptigen/ subjects). Built apart from the main package, so the shipped `octarc` carries no
/// benchmark code; it depends on the main package by path. `Scripts/bench-preprocessing` builds and
/// runs it.
let package = Package(
    name: "octarc-benchmarks",
    dependencies: [
        .package(name: "octarc", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .executableTarget(
            name: "PreprocessingBenchmark",
            dependencies: [
                .product(name: "Imaging", package: "octarc"),
                .product(name: "Preprocessing", package: "octarc"),
                .product(name: "Support", package: "octarc"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ])
    ],
    swiftLanguageModes: [.v6]
)
