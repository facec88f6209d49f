import ArgumentParser
import Foundation
import Testing
@testable import PixelOoDCommands
import OoDKit
import PixelOoDPlugins
import PixelOoDTestSupport

/// The shipped example recipes.
let examplesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Examples/recipes").standardized.path

@Suite("Recipe commands: list, check, fuzz")
struct RecipeCommandTests {
    @Test("every shipped recipe loads and builds with the bundled plugins (datasets not opened)")
    func shippedRecipesBuild() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: examplesFolder).filter { $0.hasSuffix(".yaml") }
        #expect(names.count >= 4)
        // The plugins the pixelood executable ships (PixelOoDPlugins).
        let registry = try Registry(plugins: bundledPlugins)
        for name in names where name != "base.yaml" {
            let loaded = try RecipeLoader.load(examplesFolder + "/" + name)
            _ = try RecipeCheck.build(try loaded.compiled(registry), openData: false)
        }
    }

    @Test("check reports a recipe error compiler-style with a failure exit code")
    func checkError() throws {
        var command = try PixelOoD.parseAsRoot(["check", examplesFolder + "/segmenter-synthetic.yaml", "--skip-data", "--quiet",
                                                "--set", "stages.0.optimizer.lr=fast"])
        do {
            try command.run()
            Issue.record("a bad override passed")
        } catch {
            #expect(PixelOoD.message(for: error).hasPrefix("--set:1:23: error: stages.0.optimizer.lr: expected a number"))
            #expect(PixelOoD.exitCode(for: error) == .failure)
        }
    }

    @Test("list accepts each kind and rejects an unknown one")
    func list() throws {
        var all = try PixelOoD.parseAsRoot(["list"])
        try all.run()
        var scores = try PixelOoD.parseAsRoot(["list", "score"])
        try scores.run()
        var wrong = try PixelOoD.parseAsRoot(["list", "heads"])
        #expect(throws: (any Error).self) { try wrong.run() }
    }

    @Test("3000 mutated recipes: each loads or fails with a located recipe error; none crashes or escapes")
    func fuzz() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: examplesFolder).filter { $0.hasSuffix(".yaml") }.sorted()
        let recipes = try names.map { (name: $0, text: try String(contentsOfFile: examplesFolder + "/" + $0, encoding: .utf8)) }
        let summary = try RecipeFuzzer(recipes: recipes, registry: try Registry(plugins: bundledPlugins), buildModels: false)
            .run(cases: 3000, seed: 20261201)
        #expect(summary.failures == 0, "\(summary)")
        #expect(summary.rejected > 500 && summary.loaded > 100, "both outcomes are exercised: \(summary)")
    }
}

@Suite("Self-verifying files")
struct SelfVerifyingFileTests {
    @Test("2000 mutated checkpoints and 2000 mutated store files: each is rejected or loads the original contents exactly")
    func fuzzCheckpoints() throws {
        let folder = try scratchDirectory("fuzz-ckpt").path
        for (index, target) in try CheckpointFuzzTargets.make(in: folder, foreign: nil).enumerated() {
            let summary = try CheckpointFuzzer.run(target.target, cases: 2000, seed: 20261201 &+ UInt64(index), folder: folder)
            #expect(summary.silentLoads == 0 && summary.unchanged == 0, "\(target.target.name): \(summary)")
            #expect(summary.rejected + summary.noOps == 2000, "\(target.target.name): \(summary)")
        }
    }
}
