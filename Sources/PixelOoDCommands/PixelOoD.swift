import ArgumentParser
import Foundation
import OoDKit

/// The `pixelood` command line.
public struct PixelOoD: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pixelood",
        abstract: "Pixel-wise out-of-distribution detection for semantic segmentation.",
        discussion: """
            Start with pixelood quickstart (from the repository root). Exit status: 0 done; 1 an \
            error, its message naming the file, line, key, checkpoint key or loss term; 64 a bad \
            command line (unknown option, bad value); 130 interrupted by Ctrl-C after the \
            training in flight wrote a checkpoint (the same command again continues).
            """,
        subcommands: [QuickstartCommand.self, TrainCommand.self, EvalCommand.self, InferCommand.self, SweepCommand.self, ListCommand.self, CheckRecipe.self, Fuzz.self, Bench.self, Inspect.self, DataCommand.self])
    public init() {}

    /// Runs the command line with the core entries and `plugins` registered: the entry point
    /// of `pixelood` and of any package that ships its own CLI with extra plugins
    /// (`PixelOoD.main(plugins: bundledPlugins + [MyHeadPlugin.self])`).
    public static func main(plugins: [any Plugin.Type], arguments: [String]? = nil) {
        let registry: Registry
        do {
            registry = try Registry(plugins: plugins)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(1)
        }
        CommandContext.$registry.withValue(registry) { main(arguments) }
    }
}

/// What `main(plugins:)` hands down to the commands: ArgumentParser builds each command
/// itself, so the registry travels as a task-local scoped to the run (not a global).
public enum CommandContext {
    /// The registry of this run; the core entries alone outside ``PixelOoD/main(plugins:arguments:)``.
    @TaskLocal public static var registry: Registry = (try? Registry(plugins: [])) ?? Registry()
}
