// swift-tools-version:6.0
import PackageDescription

// A method of your own, outside PixelOoD's tree: a head and its loss in one file
// (Sources/OutlierProbe), registered as a plugin, and a CLI that is pixelood plus that
// plugin (Sources/probe-ood). docs/writing-a-plugin.md walks through it. Build and run
// from this folder:
//   swift build -c release && .build/release/probe-ood list head
let package = Package(
    name: "CustomHead",
    platforms: [.macOS(.v14)],
    dependencies: [
        // Your package names PixelOoD by URL or path; this example lives inside its checkout.
        .package(name: "PixelOoD", path: "../.."),
    ],
    targets: [
        // One product: PixelOoDKit re-exports the contracts, models, data and engine a plugin uses.
        .target(name: "OutlierProbe", dependencies: [.product(name: "PixelOoDKit", package: "PixelOoD")]),
        .executableTarget(name: "probe-ood", dependencies: [
            "OutlierProbe",
            .product(name: "PixelOoDCommands", package: "PixelOoD"),
            .product(name: "PixelOoDPlugins", package: "PixelOoD"),
        ]),
    ]
)
