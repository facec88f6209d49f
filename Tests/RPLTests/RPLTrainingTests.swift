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
        let results = try Trainer(try loaded.compiled(registry), options: .init(progress: .none)).run()
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

    @Test("an rpl stage with CoroCL forwards crops and context images together, logs the corocl term, and resumes bitwise")
    func coroclStageResumes() throws {
        let fixture = try TrainingFixture(plugins: [RPLPlugin.self])
        let stage = """
              - name: rpl
                head: {type: rpl, channels: 8}
                losses: [{type: rpl.inlier}, {type: rpl.positive_energy, weight: 0.05}, {type: corocl}]
                optimizer: {type: adam, lr: 0.001}
                iterations: 3
                checkpoint_every: 1
            """
        let outliers = "  outliers: {root: \(fixture.folder.path)/data/coco, minimum_area: 0}\n  crop_size: [64, 64]"
        let loaded = try fixture.recipe(stage, extra: "")
        let text = try String(contentsOfFile: loaded.files[0], encoding: .utf8)
            .replacingOccurrences(of: "  crop_size: [32, 32]", with: outliers)
        try Data(text.utf8).write(to: URL(fileURLWithPath: loaded.files[0]))
        let recipe = try RecipeLoader.load(loaded.files[0])
        _ = try Trainer(try recipe.compiled(fixture.registry), options: .init(progress: .none)).run()
        let straight = try fixture.logLines("rpl")
        #expect(straight.count == 3 && straight.allSatisfy { $0.contains("\"corocl\"") })
        let corocl = straight.compactMap { line in
            line.range(of: #""corocl": ([0-9.e+-]+)"#, options: .regularExpression).map { Float(line[$0].split(separator: " ")[1]) ?? 0 }
        }
        #expect(corocl.contains { $0 > 0 }, "some step has two pasted crops and takes the CoroCL term: \(straight)")

        _ = try Trainer(try recipe.compiled(fixture.registry),
                        options: .init(resume: fixture.folder.path + "/run/rpl/step_000001.h5", progress: .none)).run()
        #expect(try fixture.logLines("rpl") == straight, "a resumed run draws the same CoroCL pixels")
    }
}
