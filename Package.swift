// swift-tools-version:6.0
import PackageDescription

/// DCMTK libraries the shim links (pkg-config for dcmtk is broken on Debian 12).
let dcmtkLibraries: [LinkerSetting] = [
    "dcmjpls", "dcmtkcharls", "dcmjpeg", "ijg8", "ijg12", "ijg16", "dcmimgle", "dcmdata", "oflog", "ofstd",
].map { .linkedLibrary($0) }

let package = Package(
    name: "octarc",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "octarc", targets: ["octarc"]),
        // For the fuzzing package in Fuzz/, which depends on this one by path.
        .library(name: "OctarcContainer", targets: ["Container", "EntropyCoding"]),
        // For the benchmarks package in Benchmarks/ (by path); one product per module, named as it.
        .library(name: "Imaging", targets: ["Imaging"]),
        .library(name: "Preprocessing", targets: ["Preprocessing"]),
        .library(name: "Support", targets: ["Support"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // System libraries and the C++ shim.
        .target(name: "CDCMTK", linkerSettings: dcmtkLibraries),
        .target(name: "CDCMTKNet", linkerSettings: ["dcmnet", "dcmdata", "oflog", "ofstd"].map { .linkedLibrary($0) }),
        .systemLibrary(name: "CPNG"),
        .systemLibrary(name: "CZstd"),
        .systemLibrary(name: "CDNNL"),
        .systemLibrary(name: "CCrypto"),

        // Small shared helpers: SHA-256 (libcrypto), hex, the lock box, the best-of-N timer.
        .target(name: "Support", dependencies: ["CCrypto"]),

        // Pipeline stages, in data-flow order.
        .target(name: "DICOM", dependencies: ["CDCMTK", "Imaging", "Support"]),
        .target(name: "Imaging", dependencies: ["CPNG"]),
        .target(name: "Preprocessing", dependencies: ["Imaging", "CKernels"]),
        // Vector loops in C (the bilateral filter, the layer search, the exact decoder
        // convolutions), one build per instruction set, chosen at run time.
        .target(name: "CKernels"),
        .target(name: "Neural", dependencies: ["CDNNL", "CKernels", "Support"]),
        .target(name: "EntropyCoding", exclude: ["BITSTREAM.md"]),
        .target(name: "Codec", dependencies: ["Neural", "EntropyCoding", "Imaging", "Preprocessing", "Support"]),
        .target(name: "Container", dependencies: ["CKernels", "CZstd"], exclude: ["FORMAT.md"]),
        .target(
            name: "Archive",
            dependencies: ["DICOM", "Imaging", "Preprocessing", "Codec", "Container", "Support", "PACS"]),
        // DICOM networking: C-ECHO, C-FIND, C-GET, C-STORE against a PACS.
        .target(name: "PACS", dependencies: ["CDCMTKNet"]),
        .executableTarget(
            name: "octarc",
            dependencies: [
                "Archive", "Codec", "DICOM", "Imaging", "Neural", "Preprocessing", "Support", "PACS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Tests.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "DICOMTests", dependencies: ["DICOM", "Imaging", "Support", "TestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport"]),
        .testTarget(
            name: "PreprocessingTests", dependencies: ["Preprocessing", "CKernels", "Imaging", "TestSupport"]),
        .testTarget(name: "NeuralTests", dependencies: ["Neural", "CKernels", "Support", "TestSupport"]),
        .testTarget(name: "EntropyCodingTests", dependencies: ["EntropyCoding", "TestSupport"]),
        .testTarget(name: "ContainerTests", dependencies: ["Container", "EntropyCoding", "TestSupport"]),
        .testTarget(
            name: "CodecTests",
            dependencies: [
                "Codec", "DICOM", "EntropyCoding", "Imaging", "Neural", "Preprocessing", "Support", "TestSupport",
            ]),
        .testTarget(
            name: "ArchiveTests",
            dependencies: [
                "Archive", "Codec", "Container", "DICOM", "Imaging", "Neural", "Preprocessing", "Support",
                "TestSupport",
            ]),
        .testTarget(name: "SupportTests", dependencies: ["Support"]),
        .testTarget(
            name: "PACSTests", dependencies: ["PACS", "Archive", "Codec", "Container", "DICOM", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
