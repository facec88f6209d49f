import Foundation
import Testing
import NeuralNet
import OoDKit
import RPL
import SceneData
import TensorCore
import PixelOoDTestSupport

@Suite("Training the RPL head leaves the segmenter untouched", .serialized)
struct RPLTrainingTests {
    @Test("a segmenter stage, then an rpl stage: the segmenter's weights, BN statistics and closed-set logits are bitwise those the first stage left")
    func frozenSegmenterNeverMoves() throws {
        let folder = try scratchDirectory("rpl-train")
        try SyntheticWorld(width: 128, height: 64, seed: 8).write(to: folder.path + "/data",
                                                                 counts: .init(train: 4, val: 1, outliers: 2, perAnomalySet: 1))
        let text = """
            seed: 3
            work_dir: \(folder.path)/run
            segmenter:
              type: deeplabv3plus
              width_divisor: 16
              backbone: {type: mobilenet_v2, width_divisor: 8, output_stride: 16}
            data:
              train: {type: cityscapes, root: \(folder.path)/data/cityscapes, split: train}
              crop_size: [32, 32]
              batch_size: 2
              workers: 1
            stages:
              - name: seg
                losses: [cross_entropy]
                optimizer: {type: adam, lr: 0.001}
                iterations: 2
              - name: rpl
                head: {type: rpl, channels: 8}
                losses: [{type: cross_entropy, logits: head}]
                optimizer: {type: adam, lr: 0.01}
                iterations: 3
                checkpoint_every: 1
            """
        try Data(text.utf8).write(to: folder.appendingPathComponent("recipe.yaml"))
        let loaded = try RecipeLoader.load(folder.path + "/recipe.yaml")
        let registry = try Registry(plugins: [RPLPlugin.self])
        let results = try Trainer(loaded, registry: registry, options: .init(progress: .none)).run()
        #expect(results.map(\.stage) == ["seg", "rpl"])

        let before = try Checkpoint.load(from: results[0].checkpoint).model.scoped("segmenter")
        let after = try Checkpoint.load(from: results[1].checkpoint).model
        #expect(after.roots == ["segmenter", "head"])
        let segmenterAfter = after.scoped("segmenter")
        #expect(segmenterAfter.keys == before.keys)
        for key in before.keys { #expect(segmenterAfter[key]?.scalars == before[key]?.scalars, "\(key) moved") }
        let headBefore = try Checkpoint.load(from: folder.path + "/run/rpl/step_000001.h5").model.scoped("head")
        #expect(headBefore["atten_aspp_final.weight"]?.scalars != after.scoped("head")["atten_aspp_final.weight"]?.scalars,
                "the head trained")

        func logits(_ state: StateDict) throws -> [Float] {
            let context = BuildContext(registry: registry, rng: SeededGenerator(seed: 0))
            let segmenter = try registry.segmenters.build(loaded.recipe.segmenter, context)
            try segmenter.load(state)
            segmenter.eval()
            let (image, _) = try SyntheticWorld.reader(.static, in: folder.path + "/data").load(0)
            return GradMode.noGrad { segmenter(FrozenFeatures.tensor(image)).logits }.scalars
        }
        #expect(try logits(before) == logits(segmenterAfter), "closed-set logits bitwise unchanged, so mIoU is unchanged exactly")
    }
}
