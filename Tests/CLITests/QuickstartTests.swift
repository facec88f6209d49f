import Foundation
import Testing
import NeuralNet
@testable import PixelOoDCommands
import OoDKit
import PixelOoDPlugins
import SceneData
import TensorCore
import PixelOoDTestSupport

/// `Examples/` (the quickstart, the sweeps, the recipes).
let examplesRoot = URL(fileURLWithPath: examplesFolder).deletingLastPathComponent().path

@Suite("The quickstart, the shipped sweeps and infer", .serialized)
struct QuickstartTests {
    @Test("the bundled segmenter.h5 is what segmenter.yaml trains: it records that recipe, loads strictly into its model, and the recipe still trains")
    func bundledSegmenter() throws {
        let fixture = try TrainingFixture(plugins: bundledPlugins)
        let recipe = examplesRoot + "/quickstart/segmenter.yaml"
        let bundled = examplesRoot + "/quickstart/segmenter.h5"
        let metadata = try Checkpoint.load(from: bundled).metadata
        #expect(metadata.recipe.contains("name: quickstart-segmenter") && metadata.step == 6000)
        let shipped = try RecipeLoader.load(recipe)
        let context = BuildContext(registry: fixture.registry, rng: SeededGenerator(seed: shipped.recipe.seed))
        try fixture.registry.segmenters.build(shipped.recipe.segmenter, context).load(checkpoint: bundled, prefix: "segmenter.")

        let root = fixture.folder.path
        let loaded = try RecipeLoader.load(recipe, overrides: [
            "data.train.root=\(root)/data/cityscapes", "data.val.root=\(root)/data/cityscapes", "data.crop_size=[64, 64]",
            "data.workers=1", "work_dir=\(root)/runs/quickstart-segmenter", "stages.0.iterations=2", "stages.0.checkpoint_every=0",
        ])
        let result = try Trainer(try loaded.compiled(fixture.registry), options: .init(progress: .none)).run()
        #expect(result.count == 1 && result[0].stepsRun == 2 && result[0].lastLoss.isFinite)
    }

    @Test("the quickstart sweep and every sweep in Examples/sweeps plan, seeded or not, and each run's recipe builds with the bundled plugins")
    func shippedSweepsBuild() throws {
        let registry = try Registry(plugins: bundledPlugins)
        let sweeps = try FileManager.default.contentsOfDirectory(atPath: examplesRoot + "/sweeps").filter { $0.hasSuffix(".yaml") }
            .map { examplesRoot + "/sweeps/" + $0 } + [examplesRoot + "/quickstart/quickstart.yaml"]
        #expect(sweeps.count >= 4)
        for file in sweeps {
            for seeds in [nil, [666, 1] as [UInt64]] {
                let plan = try SweepPlan.load(file, workDir: "/tmp/pixelood-unused", seeds: seeds)
                #expect(!plan.points.isEmpty, "\(file)")
                let runner = SweepRunner(plan, registry: registry)
                for run in try runner.runs() {
                    let loaded = try runner.load(run)
                    _ = try RecipeCheck.build(try loaded.compiled(registry), openData: false)
                    if let seed = run.seed, let checkpoint = loaded.recipe.checkpoint, checkpoint.hasPrefix("/tmp/pixelood-unused/") {
                        #expect(checkpoint.contains("/seed=\(seed)/"), "a chained point reads its own seed's segmenter: \(checkpoint)")
                    }
                }
            }
        }
        let quickstart = try SweepPlan.load(examplesRoot + "/quickstart/quickstart.yaml")
        #expect(quickstart.points.map(\.name) == ["logit-scores", "SML", "Mahalanobis", "PEBAL", "RPL-on-PEBAL", "RPL", "RPL+CoroCL"])
    }

    @Test("infer: a segmenter checkpoint's map is its recipe's score (here -max logit), a head checkpoint's is the head's; three PNGs per image; the recorded recipe is compiled whole")
    func infer() throws {
        let fixture = try TrainingFixture(plugins: bundledPlugins)
        let segmenterRun = try Trainer(try fixture.recipe(TrainingFixture.segmenterStage).compiled(fixture.registry),
                                       options: .init(progress: .none)).run()[0].checkpoint
        let imagePath = fixture.folder.path + "/data/road_anomaly/original/000000.png"
        let image = try ImageIO.readRGB(imagePath)

        let mapper = try AnomalyMapper(checkpoint: segmenterRun, registry: fixture.registry, score: "max_logit")
        let map = try mapper(image)
        #expect(mapper.method == "max_logit" && map.scores.count == image.width * image.height)
        let loaded = try fixture.recipe(TrainingFixture.segmenterStage)
        let segmenter = try fixture.registry.segmenters.build(loaded.recipe.segmenter, BuildContext(registry: fixture.registry, rng: SeededGenerator(seed: 1)))
        try segmenter.load(checkpoint: segmenterRun, prefix: "segmenter.")
        segmenter.eval().freeze()
        let logits = GradMode.noGrad { segmenter(FrozenFeatures.tensor(image)).logits }
        let maxLogit = logits.max(axis: 1).scalars
        for i in stride(from: 0, to: map.scores.count, by: 97) { #expect(abs(map.scores[i] + maxLogit[i]) < 1e-3, "pixel \(i)") }
        #expect(map.prediction.values == logits.argmax(axis: 1).values.map { UInt8($0) })

        let rpl = try RecipeLoader.load(examplesFolder + "/rpl.yaml", overrides: [
            "segmenter.width_divisor=16", "segmenter.backbone={type: mobilenet_v2, width_divisor: 8, output_stride: 16}",
            "data.train={type: cityscapes, root: \(fixture.folder.path)/data/cityscapes, split: train}", "data.val=null",
            "data.outliers={root: \(fixture.folder.path)/data/coco, minimum_area: 0}", "data.crop_size=[64, 64]", "data.batch_size=2",
            "data.workers=1", "work_dir=\(fixture.folder.path)/runs/rpl", "checkpoint=\(segmenterRun)",
            "stages.0.iterations=1", "stages.0.checkpoint_every=0",
        ])
        let head = try Trainer(try rpl.compiled(fixture.registry), options: .init(progress: .none)).run()[0].checkpoint
        let out = fixture.folder.path + "/infer"
        var command = try PixelOoD.parseAsRoot(["infer", head, imagePath, "--out", out])
        try CommandContext.$registry.withValue(fixture.registry) { try command.run() }
        for suffix in ["anomaly", "overlay", "prediction"] {
            let written = try ImageIO.readRGB(out + "/000000_\(suffix).png")
            #expect(written.width == image.width && written.height == image.height, "\(suffix)")
        }
        #expect(try AnomalyMapper(checkpoint: head, registry: fixture.registry).method == "rpl: rpl")
        // The head's stage comes from the checkpoint, not its folder: stage 0's final.h5 of a
        // two-stage run, moved into a folder named after stage 1, still maps with stage 0.
        let twoStages = try RecipeLoader.load(examplesFolder + "/rpl.yaml", overrides: [
            "segmenter.width_divisor=16", "segmenter.backbone={type: mobilenet_v2, width_divisor: 8, output_stride: 16}",
            "data.train={type: cityscapes, root: \(fixture.folder.path)/data/cityscapes, split: train}", "data.val=null",
            "data.outliers={root: \(fixture.folder.path)/data/coco, minimum_area: 0}", "data.crop_size=[64, 64]", "data.batch_size=2",
            "data.workers=1", "work_dir=\(fixture.folder.path)/runs/rpl-two", "checkpoint=\(segmenterRun)",
            "stages=[" + ["rpl", "again"].map { "{name: \($0), head: {type: rpl}, losses: [{type: rpl.inlier}], optimizer: {type: adam, lr: 1.0e-5}, iterations: 1}" }
                .joined(separator: ", ") + "]",
        ])
        let first = try Trainer(try twoStages.compiled(fixture.registry), options: .init(maxSteps: 1, progress: .none)).run()[0].checkpoint
        let moved = fixture.folder.path + "/runs/rpl-two/again/final.h5"
        try FileManager.default.createDirectory(atPath: fixture.folder.path + "/runs/rpl-two/again", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: first, toPath: moved)
        #expect(try AnomalyMapper(checkpoint: moved, registry: fixture.registry).method == "rpl: rpl")
        // The recorded recipe is compiled as a whole: a typo in a loss infer never builds is still found, located.
        var stored = try Checkpoint.load(from: head)
        #expect(stored.metadata.recipe.contains("type: rpl.positive_energy"))
        stored.metadata.recipe = stored.metadata.recipe.replacingOccurrences(of: "type: rpl.positive_energy", with: "type: rpl.positive_energie")
        let altered = fixture.folder.path + "/altered.h5"
        try stored.save(to: altered)
        #expect(throws: RecipeError.self) { _ = try AnomalyMapper(checkpoint: altered, registry: fixture.registry) }
        do { _ = try AnomalyMapper(checkpoint: altered, registry: fixture.registry) } catch {
            #expect("\(error)".contains("altered.h5 (its recipe)") && "\(error)".contains("rpl.positive_energie"), "\(error)")
        }
        #expect(throws: (any Error).self) { _ = try PixelOoD.parseAsRoot(["infer", head, imagePath, "--range", "3,1"]) }
    }
}
