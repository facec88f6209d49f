import ArgumentParser
import Foundation
import OoDKit
import TensorCore

/// The `pixelood` command line.
public struct PixelOoD: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pixelood",
        abstract: "Pixel-wise out-of-distribution detection for semantic segmentation.",
        discussion: """
            Start with pixelood quickstart (from the repository root). Exit status: 0 done; 1 an \
            error, its message naming the file, line, key, checkpoint key or loss term; 64 a bad \
            command line (unknown option, bad value); 130 interrupted by Ctrl-C after the \
            training in flight wrote a checkpoint (the same command again continues). \
            Environment: PIXELOOD_THREADS (worker threads; default the cores), \
            PIXELOOD_STORAGE_CACHE (idle tensor buffers kept for reuse: bytes, or with K, M or G; \
            0 turns the cache off; default a quarter of physical memory), PIXELOOD_CONV \
            (im2col, the default, every recorded result's; or winograd: stride-1 3x3 convolutions \
            forward by Winograd F(4x4,3x3) where a fixed rule says it is faster and kernel taps \
            that only read padding left out, 25-40% off large forwards; numbers move by rounding; \
            docs/benchmarks.md).
            """,
        subcommands: [QuickstartCommand.self, TrainCommand.self, EvalCommand.self, InferCommand.self, SweepCommand.self, ListCommand.self, CheckRecipe.self, Fuzz.self, Bench.self, Inspect.self, DataCommand.self])
    public init() {}

    /// Runs the command line with the core entries and `plugins` registered: the entry point
    /// of `pixelood` and of any package that ships its own CLI with extra plugins
    /// (`PixelOoD.main(plugins: bundledPlugins + [MyHeadPlugin.self])`).
    public static func main(plugins: [any Plugin.Type], arguments: [String]? = nil) {
        CommandContext.$registry.withValue(registry(plugins)) {
            StorageCache.using(storageCache()) { main(arguments) }
        }
    }

    /// Runs the command line as one rank of `group` (`pixelood-mpi`): `eval` scores this
    /// rank's share of the images and rank 0 writes the report. A failing command prints its
    /// error and calls `fail` with its exit status (MPI_Abort: the other ranks must not wait
    /// for it); otherwise it returns.
    public static func main(plugins: [any Plugin.Type], arguments: [String], group: any ProcessGroup, fail: (Int32) -> Never) {
        CommandContext.$registry.withValue(registry(plugins)) {
            CommandContext.$group.withValue(group) {
                StorageCache.using(storageCache()) {
                    do {
                        var command = try parseAsRoot(arguments)
                        try command.run()
                    } catch {
                        let code = exitCode(for: error)
                        guard code != .success else { print(message(for: error)); return }  // --help
                        FileHandle.standardError.write(Data("error: \(message(for: error))\n".utf8))
                        fail(code.rawValue)
                    }
                }
            }
        }
    }

    /// The cache of idle tensor buffers `PIXELOOD_STORAGE_CACHE` asks for, after checking
    /// `PIXELOOD_CONV`; a value that is not valid stops the command before it starts (exit
    /// status 64).
    static func storageCache() -> StorageCache {
        do {
            let environment = ProcessInfo.processInfo.environment
            _ = try ConvolutionAlgorithm.chosen(environment: environment)
            return StorageCache(limit: try storageCacheLimit(environment))
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
    }

    /// The idle bytes `environment["PIXELOOD_STORAGE_CACHE"]` allows (bytes, or with K, M or G;
    /// 0 keeps none), by default a quarter of physical memory.
    /// - Throws: `ValidationError` naming the variable when its value is not a size.
    static func storageCacheLimit(_ environment: [String: String]) throws -> Int {
        guard let text = environment["PIXELOOD_STORAGE_CACHE"] else { return StorageCache.defaultLimit }
        guard let bytes = MetricsMemoryArgument.bytes(text) else {
            throw ValidationError("PIXELOOD_STORAGE_CACHE '\(text)' is not a size (e.g. 0, 512M, 4G)")
        }
        return bytes
    }

    private static func registry(_ plugins: [any Plugin.Type]) -> Registry {
        do {
            return try Registry(plugins: plugins)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}

/// What `main(plugins:)` hands down to the commands: ArgumentParser builds each command
/// itself, so the registry (and, under `pixelood-mpi`, the ranks) travel as task-locals
/// scoped to the run (not globals).
public enum CommandContext {
    /// The registry of this run; the core entries alone outside ``PixelOoD/main(plugins:arguments:)``.
    @TaskLocal public static var registry: Registry = (try? Registry(plugins: [])) ?? Registry()
    /// The processes this run is one of (``SingleProcess`` outside `pixelood-mpi`).
    @TaskLocal public static var group: any ProcessGroup = SingleProcess()
}
