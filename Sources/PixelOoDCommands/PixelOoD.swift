import ArgumentParser

/// The `pixelood` command line.
public struct PixelOoD: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pixelood",
        abstract: "Pixel-wise out-of-distribution detection for semantic segmentation.",
        subcommands: [Bench.self, Inspect.self, DataCommand.self])
    public init() {}
}
