import Foundation
import Testing
import NeuralNet
import OoDKit
import PixelOoDPlugins
import PixelOoDTestSupport

@Suite("The shipped method and composition recipes train", .serialized)
struct CompositionRecipeTests {
    /// Each shipped recipe with the checkpoint it starts from: the fixture's segmenter, or the
    /// run of the recipe it composes on.
    static let recipes: [(name: String, startsFrom: String?)] = [
        ("meta-ood", nil), ("rpl-on-meta-ood", "meta-ood"), ("rpl", nil), ("rpl-corocl", nil), ("rpl-ablation-pe", nil),
        ("rpl-ablation-entropy", nil), ("rpl-ablation-energy-hinge", nil), ("sml", nil), ("mahalanobis", nil),
        ("pebal", nil), ("rpl-on-pebal", "pebal"), ("duq", nil),
    ]

    @Test("each recipe, on the tiny world's segmenter (a composition on the checkpoint its base recipe left), runs two steps of each stage")
    func twoStepsEach() throws {
        let fixture = try TrainingFixture(plugins: bundledPlugins)
        let segmenter = try Trainer(try fixture.recipe(TrainingFixture.segmenterStage).compiled(fixture.registry),
                                    options: .init(progress: .none)).run()[0].checkpoint
        let root = fixture.folder.path
        var finals: [String: String] = [:]
        for (name, startsFrom) in Self.recipes {
            let shipped = try RecipeLoader.load(examplesFolder + "/\(name).yaml")
            var overrides = [
                "segmenter.width_divisor=16", "segmenter.backbone={type: mobilenet_v2, width_divisor: 8, output_stride: 16}",
                "data.train={type: cityscapes, root: \(root)/data/cityscapes, split: train}",
                "data.val={type: cityscapes, root: \(root)/data/cityscapes, split: val}",
                "data.outliers={root: \(root)/data/coco, minimum_area: 0}", "data.crop_size=[64, 64]", "data.batch_size=2", "data.workers=1",
                "work_dir=\(root)/runs/\(name)", "checkpoint=\(try #require(startsFrom.map { finals[$0] } ?? segmenter))",
            ]
            for (index, stage) in shipped.recipe.stages.enumerated() where !stage.isFit {
                overrides += ["stages.\(index).iterations=2", "stages.\(index).checkpoint_every=0"]
            }
            let loaded = try RecipeLoader.load(examplesFolder + "/\(name).yaml", overrides: overrides)
            let results = try Trainer(try loaded.compiled(fixture.registry), options: .init(progress: .none, storeDirectory: root + "/store")).run()
            #expect(results.count == shipped.recipe.stages.count, "\(name)")
            for (result, stage) in zip(results, shipped.recipe.stages) {
                #expect(result.stepsRun == (stage.isFit ? 0 : 2), "\(name): \(stage.name)")
                #expect(result.fittedImages == (stage.isFit ? 4 : nil), "\(name): \(stage.name)")
            }
            finals[name] = results.last?.checkpoint
        }
        // The composition's frozen segmenter is the retrained one, not the fixture's.
        let retrained = try Checkpoint.load(from: try #require(finals["meta-ood"])).model.scoped("segmenter")
        let composed = try Checkpoint.load(from: try #require(finals["rpl-on-meta-ood"])).model.scoped("segmenter")
        let original = try Checkpoint.load(from: segmenter).model.scoped("segmenter")
        let key = try #require(retrained.keys.first { $0.hasSuffix("weight") })
        #expect(composed[key]?.scalars == retrained[key]?.scalars)
        #expect(original[key]?.scalars != retrained[key]?.scalars, "Meta-OoD retrained the segmenter")

        // PEBAL retrains the final block only, with one more output; RPL on it keeps it.
        let pebal = try Checkpoint.load(from: try #require(finals["pebal"])).model.scoped("segmenter")
        let onPebal = try Checkpoint.load(from: try #require(finals["rpl-on-pebal"])).model.scoped("segmenter")
        #expect(pebal["final.6.weight"]?.shape.first == 20 && onPebal["final.6.weight"]?.scalars == pebal["final.6.weight"]?.scalars)
        #expect(pebal["final.6.weight"]?.slice(axis: 0, start: 0, end: 19).scalars != original["final.6.weight"]?.scalars)
        for frozen in original.keys where !frozen.hasPrefix("final.") {
            #expect(pebal[frozen]?.scalars == original[frozen]?.scalars, "PEBAL leaves \(frozen) frozen")
        }

        // DUQ's centroids moved by the trainer's after-step update: N left its initial 12.
        let duq = try Checkpoint.load(from: try #require(finals["duq"])).model.scoped("head")
        #expect(try #require(duq["N"]).scalars.contains { abs($0 - 12) > 1e-3 })
    }
}
