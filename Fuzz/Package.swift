// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets over the container reader and the latent decoder. Built apart from the main
/// package, with sanitizers: `Scripts/fuzz-container` builds and runs them.
let package = Package(
    name: "octarc-fuzz",
    dependencies: [
        .package(name: "octarc", path: "..")
    ],
    targets: [
        .target(name: "CFuzzerDriver"),
        .systemLibrary(name: "CZstdFuzz"),
        .executableTarget(
            name: "FuzzContainerReader",
            dependencies: ["CFuzzerDriver", "CZstdFuzz", .product(name: "OctarcContainer", package: "octarc")]),
        .executableTarget(
            name: "FuzzLatentDecoder",
            dependencies: ["CFuzzerDriver", .product(name: "OctarcContainer", package: "octarc")]),
    ],
    swiftLanguageModes: [.v6]
)
