import Foundation
import Testing
import NeuralNet
import TensorCore
@testable import PixelOoDCommands
import OoDKit
import PixelOoDTestSupport

@Suite("pixelood train: resuming its own work folder", .serialized)
struct TrainCommandTests {
    /// Runs `pixelood` with `arguments` against the fixture's registry.
    func run(_ arguments: [String], _ fixture: TrainingFixture) throws {
        var command = try PixelOoD.parseAsRoot(arguments)
        try CommandContext.$registry.withValue(fixture.registry) { try command.run() }
    }

    @Test("train again continues from the furthest checkpoint of its work folder and equals the uninterrupted run; --fresh starts over")
    func continuesItsWorkFolder() throws {
        let fixture = try TrainingFixture(plugins: [])
        let recipe = fixture.folder.path + "/recipe.yaml"
        _ = try fixture.recipe(TrainingFixture.segmenterStage)
        let final = fixture.folder.path + "/run/seg/final.h5"
        try run(["train", recipe, "--progress", "none"], fixture)
        let straight = try Checkpoint.load(from: final).model
        let straightLog = try fixture.logLines("seg")

        try run(["train", recipe, "--fresh", "--max-steps", "3", "--progress", "none"], fixture)
        #expect(try fixture.logLines("seg").count == 3, "--fresh started over")
        try run(["train", recipe, "--progress", "none"], fixture)
        #expect(try fixture.logLines("seg") == straightLog, "continued from step 3 to the uninterrupted run's log")
        let continued = try Checkpoint.load(from: final)
        #expect(continued.metadata.step == 5)
        for entry in straight.entries { #expect(continued.model[entry.key]?.scalars == entry.tensor.scalars, "\(entry.key)") }

        try run(["train", recipe, "--progress", "none"], fixture)
        let again = try Checkpoint.load(from: final).model
        #expect(straight.entries.allSatisfy { again[$0.key]?.scalars == $0.tensor.scalars }, "a finished run trains nothing")
        #expect(throws: (any Error).self) { try PixelOoD.parseAsRoot(["train", recipe, "--fresh", "--resume", final]) }
    }

    @Test("train continuing its folder refuses a `checkpoint:` file that now holds other weights than the run started from (start.json), or a folder without that record; --fresh starts over on the new weights")
    func refusesChangedStart() throws {
        let fixture = try TrainingFixture(plugins: [])
        let recipe = fixture.folder.path + "/recipe.yaml"
        _ = try fixture.recipe(TrainingFixture.segmenterStage)
        try run(["train", recipe, "--max-steps", "1", "--progress", "none"], fixture)
        let start = fixture.folder.path + "/start.ckpt.h5"
        try FileManager.default.copyItem(atPath: fixture.folder.path + "/run/seg/step_000001.h5", toPath: start)
        let stage = TrainingFixture.segmenterStage.replacingOccurrences(of: "iterations: 5", with: "iterations: 2")
        _ = try fixture.recipe(stage, extra: "checkpoint: \(start)")
        let folder = fixture.folder.path + "/second"
        try run(["train", recipe, "--work-dir", folder, "--max-steps", "1", "--progress", "none"], fixture)
        #expect(FileManager.default.fileExists(atPath: folder + "/start.json"), "a fresh folder records its starting weights")

        try FileManager.default.removeItem(atPath: start)
        try FileManager.default.copyItem(atPath: fixture.folder.path + "/run/seg/step_000001.h5", toPath: start)
        try run(["train", recipe, "--work-dir", folder, "--max-steps", "1", "--progress", "none"], fixture)  // the same weights: continues

        let other = try Checkpoint.load(from: fixture.folder.path + "/run/seg/step_000001.h5")
        var changed = StateDict()
        for entry in other.model.entries { changed.append(entry.key, entry.tensor * 2, dtype: entry.dtype) }
        try Checkpoint(model: changed, optimizer: other.optimizer, trainer: other.trainer, metadata: other.metadata).save(to: start)
        try FileManager.default.removeItem(atPath: folder + "/seg/final.h5")
        #expect(throws: TrainError.changedStart(folder: folder, checkpoint: start, recorded: true)) {
            try run(["train", recipe, "--work-dir", folder, "--progress", "none"], fixture)
        }
        try FileManager.default.removeItem(atPath: folder + "/start.json")
        #expect(throws: TrainError.changedStart(folder: folder, checkpoint: start, recorded: false)) {
            try run(["train", recipe, "--work-dir", folder, "--progress", "none"], fixture)
        }
        try run(["train", recipe, "--work-dir", folder, "--fresh", "--progress", "none"], fixture)
        #expect(FileManager.default.fileExists(atPath: folder + "/seg/final.h5") && FileManager.default.fileExists(atPath: folder + "/start.json"))
    }
}

