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
        let fixture = try TrainingFixture(plugins: [RPLPlugin.self])
        let loaded = try fixture.recipe(TrainingFixture.segmenterStage + """

              - name: rpl
                head: {type: rpl, channels: 8}
                losses: [{type: cross_entropy, logits: head}]
                optimizer: {type: adam, lr: 0.01}
                iterations: 3
                checkpoint_every: 1
            """)
        let registry = fixture.registry
        let results = try Trainer(loaded, registry: registry, options: .init(progress: .none)).run()
        #expect(results.map(\.stage) == ["seg", "rpl"])
        let folder = fixture.folder

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
