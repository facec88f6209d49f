import Foundation
import Testing
import NeuralNet
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
}
