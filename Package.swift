// swift-tools-version:6.0
import PackageDescription

// Swift 6 language mode (strict concurrency, no mutable globals). Build and test with
// `-c release`: numeric code in debug builds is 10-100x slower.
let package = Package(
    name: "PixelOoD",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "TensorCore", targets: ["TensorCore"]),
        .library(name: "HDF5Store", targets: ["HDF5Store"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "OoDMetrics", targets: ["OoDMetrics"]),
        .library(name: "ModelZoo", targets: ["ModelZoo"]),
        .library(name: "SceneData", targets: ["SceneData"]),
        .library(name: "OoDKit", targets: ["OoDKit"]),
        // What a plugin author depends on: one product, one import (re-exports the layers a plugin uses).
        .library(name: "PixelOoDKit", targets: ["PixelOoDKit"]),
        .library(name: "PixelOoDCommands", targets: ["PixelOoDCommands"]),
        .library(name: "RPL", targets: ["RPL"]),
        .library(name: "PostHoc", targets: ["PostHoc"]),
        .library(name: "MetaOoD", targets: ["MetaOoD"]),
        .library(name: "PEBAL", targets: ["PEBAL"]),
        .library(name: "DUQ", targets: ["DUQ"]),
        .library(name: "DenseHybrid", targets: ["DenseHybrid"]),
        .library(name: "PixelOoDPlugins", targets: ["PixelOoDPlugins"]),
        .executable(name: "pixelood", targets: ["pixelood"]),
        .executable(name: "tiny-segmentation", targets: ["TinySegmentation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C layer: OpenBLAS is dlopen'ed after choosing the kernel core from CPUID.
        .target(name: "CBLAS", path: "Sources/CBLAS"),
        // C layer: e^x in AVX-512 / AVX2 lanes chosen from CPUID, glibc's expf bit for bit.
        .target(name: "CVectorMath", path: "Sources/CVectorMath", linkerSettings: [.linkedLibrary("m")]),
        // C layer: Winograd's input transform in AVX-512 / AVX2 lanes chosen from CPUID.
        .target(name: "CConvKernels", path: "Sources/CConvKernels"),
        // C layer: batch norm's per-channel sums and input gradient in AVX2 / AVX-512 lanes.
        .target(name: "CChannelKernels", path: "Sources/CChannelKernels"),
        // C layer: anonymous mappings for the tensor storage cache (mremap is variadic in C).
        .target(name: "CMemoryMap", path: "Sources/CMemoryMap"),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),

        .target(name: "TensorCore", dependencies: ["CBLAS", "CVectorMath", "CConvKernels", "CChannelKernels", "CMemoryMap"]),
        .target(name: "HDF5Store", dependencies: ["CHDF5", "TensorCore"]),
        .target(name: "NeuralNet", dependencies: ["TensorCore", "HDF5Store"]),
        .target(name: "ModelZoo", dependencies: ["NeuralNet", "TensorCore"]),
        // PNG through libpng's simplified API, JPEG through libjpeg, WebP through libwebp;
        // errors kept in C.
        .target(name: "CImageIO", path: "Sources/CImageIO",
                linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg"), .linkedLibrary("webp")]),
        .target(name: "SceneData", dependencies: ["CImageIO", "TensorCore"]),
        // Depends on nothing: metrics over plain arrays, usable without the engine.
        .target(name: "OoDMetrics"),
        // The plugin contracts, the registry, recipes (and, next, trainer and evaluator).
        .target(name: "OoDKit", dependencies: [
            "TensorCore", "NeuralNet", "ModelZoo", "SceneData", "OoDMetrics", "HDF5Store",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "PixelOoDKit", dependencies: ["ModelZoo", "NeuralNet", "OoDKit", "SceneData", "TensorCore"]),
        .target(name: "PixelOoDCommands", dependencies: [
            "TensorCore", "HDF5Store", "NeuralNet", "ModelZoo", "OoDMetrics", "SceneData", "CBLAS", "OoDKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // OoD methods as plugins: each depends on OoDKit and the layers below, never on another plugin.
        .target(name: "RPL", dependencies: ["OoDKit", "ModelZoo", "NeuralNet", "SceneData", "TensorCore"], path: "Plugins/RPL"),
        .target(name: "PostHoc", dependencies: ["OoDKit", "ModelZoo", "NeuralNet", "TensorCore", "SceneData"], path: "Plugins/PostHoc"),
        .target(name: "MetaOoD", dependencies: ["OoDKit", "ModelZoo", "SceneData", "TensorCore"], path: "Plugins/MetaOoD"),
        .target(name: "PEBAL", dependencies: ["OoDKit", "ModelZoo", "SceneData", "TensorCore"], path: "Plugins/PEBAL"),
        .target(name: "DUQ", dependencies: ["OoDKit", "ModelZoo", "NeuralNet", "SceneData", "TensorCore"], path: "Plugins/DUQ"),
        .target(name: "DenseHybrid", dependencies: ["OoDKit", "ModelZoo", "NeuralNet", "TensorCore"], path: "Plugins/DenseHybrid"),
        // The bundled method plugins as one list, for pixelood and for packages that ship their own CLI.
        .target(name: "PixelOoDPlugins", dependencies: ["OoDKit", "RPL", "PostHoc", "MetaOoD", "PEBAL", "DUQ", "DenseHybrid"]),
        .executableTarget(name: "pixelood", dependencies: ["PixelOoDCommands", "PixelOoDPlugins"]),

        // Examples build with the package, so CI compiles them.
        .executableTarget(name: "TinySegmentation", dependencies: ["NeuralNet", "TensorCore", "HDF5Store"],
                          path: "Examples/TinySegmentation"),

        .target(name: "PixelOoDTestSupport", dependencies: ["TensorCore", "HDF5Store", "NeuralNet", "ModelZoo", "OoDKit", "SceneData"]),
        .testTarget(name: "TensorCoreTests",
                    dependencies: ["TensorCore", "CBLAS", "CVectorMath", "CConvKernels", "CChannelKernels", "PixelOoDTestSupport"]),
        .testTarget(name: "HDF5StoreTests",
                    dependencies: ["HDF5Store", "TensorCore", "PixelOoDTestSupport"]),
        .testTarget(name: "OoDMetricsTests",
                    dependencies: ["OoDMetrics", "HDF5Store", "PixelOoDTestSupport"]),
        .testTarget(name: "ModelZooTests",
                    dependencies: ["ModelZoo", "NeuralNet", "TensorCore", "HDF5Store", "PixelOoDTestSupport"]),
        .testTarget(name: "SceneDataTests", dependencies: ["SceneData", "TensorCore", "OoDMetrics", "PixelOoDTestSupport"]),
        .testTarget(name: "OoDKitTests", dependencies: [
            "OoDKit", "ModelZoo", "NeuralNet", "TensorCore", "SceneData", "HDF5Store", "OoDMetrics", "PixelOoDTestSupport",
        ]),
        .testTarget(name: "CLITests", dependencies: [
            "PixelOoDCommands", "PixelOoDPlugins", "OoDKit", "NeuralNet", "TensorCore", "SceneData", "DenseHybrid", "PixelOoDTestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "RPLTests", dependencies: [
            "RPL", "OoDKit", "ModelZoo", "NeuralNet", "TensorCore", "HDF5Store", "SceneData", "PixelOoDTestSupport",
        ]),
        .testTarget(name: "PostHocTests", dependencies: [
            "PostHoc", "OoDKit", "ModelZoo", "NeuralNet", "TensorCore", "HDF5Store", "SceneData", "PixelOoDTestSupport",
        ]),
        .testTarget(name: "MetaOoDTests", dependencies: [
            "MetaOoD", "OoDKit", "ModelZoo", "TensorCore", "SceneData", "PixelOoDTestSupport",
        ]),
        .testTarget(name: "PEBALTests", dependencies: [
            "PEBAL", "OoDKit", "ModelZoo", "NeuralNet", "TensorCore", "HDF5Store", "SceneData", "PixelOoDTestSupport",
        ]),
        .testTarget(name: "DUQTests", dependencies: [
            "DUQ", "OoDKit", "ModelZoo", "NeuralNet", "TensorCore", "HDF5Store", "SceneData", "PixelOoDTestSupport",
        ]),
        .testTarget(name: "DenseHybridTests", dependencies: [
            "DenseHybrid", "OoDKit", "ModelZoo", "NeuralNet", "TensorCore", "PixelOoDTestSupport",
        ]),
        .testTarget(name: "NeuralNetTests",
                    dependencies: ["NeuralNet", "TensorCore", "HDF5Store", "PixelOoDTestSupport"]),
    ]
)
