import ArgumentParser
import Foundation
import OoDKit

/// `pixelood fuzz`: robustness runs over user-facing file formats.
struct Fuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Feed mutated files to PixelOoD's readers: every case must end in a clear error or a success.",
        subcommands: [FuzzRecipes.self, FuzzCheckpoints.self])
}

/// `pixelood fuzz recipes`: mutated copies of the shipped recipes through the loader.
struct FuzzRecipes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recipes",
        abstract: "Mutate the shipped recipes (byte flips, truncation, type swaps, deep nesting, huge numbers, line splices).",
        discussion: "A case passes when it loads and builds, or fails with a located recipe error. Exit status 1 on any other outcome.")

    @Option(help: "Number of mutated cases.")
    var cases = 10_000

    @Option(help: "Seed of the mutations.")
    var seed: UInt64 = 1

    @Flag(help: "Also construct every model a loaded case names (slow at full widths); by default every node's config is decoded and validated.")
    var build = false

    @Option(help: "The folder of recipes to mutate.")
    var recipes = "Examples/recipes"

    func validate() throws {
        guard cases > 0 else { throw ValidationError("--cases must be positive") }
    }

    func run() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: recipes).filter { $0.hasSuffix(".yaml") }.sorted()
        guard !names.isEmpty else { throw ValidationError("no .yaml recipes in \(recipes)") }
        let texts = try names.map { (name: $0, text: try String(contentsOfFile: recipes + "/" + $0, encoding: .utf8)) }
        let fuzzer = RecipeFuzzer(recipes: texts, registry: CommandContext.registry, buildModels: build)
        let every = max(1, cases / 20)
        let summary = try fuzzer.run(cases: cases, seed: seed, progressEvery: every) { partial in
            FileHandle.standardError.write(Data("  \(partial.cases)/\(cases) cases, \(partial.failures) failures\n".utf8))
        }
        print(summary)
        if summary.failures > 0 { throw ExitCode.failure }
    }
}

/// `pixelood fuzz checkpoints`: mutated checkpoints and feature-store files through the readers.
struct FuzzCheckpoints: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoints",
        abstract: "Mutate a small checkpoint and a feature-store file (bit flips, truncation, zeroed and duplicated ranges).",
        discussion: """
            A case passes when it fails with an error or loads exactly the original contents. PixelOoD's \
            files carry a whole-file checksum, so any changed byte must be rejected: for them any load \
            of a changed file is a failure (exit status 1). --foreign adds a file written elsewhere (h5py), \
            which has no checksum and is read with shape and size validation only; its silent loads \
            are reported, not failed.
            """)

    @Option(help: "Cases per file.")
    var cases = 10_000

    @Option(help: "Seed of the mutations.")
    var seed: UInt64 = 1

    @Option(help: "A checkpoint written elsewhere (e.g. by scripts/convert_checkpoint.py) to mutate as well.")
    var foreign: String?

    func validate() throws {
        guard cases > 0 else { throw ValidationError("--cases must be positive") }
    }

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pixelood-fuzz-ckpt-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let targets = try CheckpointFuzzTargets.make(in: folder, foreign: foreign)
        var failed = false
        for (index, target) in targets.enumerated() {
            let summary = try CheckpointFuzzer.run(target.target, cases: cases, seed: seed &+ UInt64(index), folder: folder)
            print("\(target.target.name) (\(target.sealed ? "PixelOoD, checksummed" : "foreign, validated only")): \(summary)")
            if target.sealed && (summary.silentLoads > 0 || summary.unchanged > 0) { failed = true }
        }
        if failed { throw ExitCode.failure }
    }
}
