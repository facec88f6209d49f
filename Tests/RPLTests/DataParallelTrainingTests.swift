import Foundation
import Testing
import ModelZoo
import NeuralNet
import OoDKit
import RPL
import SceneData
import TensorCore
import PixelOoDTestSupport

/// Data-parallel training against one process: 2 ranks × 2 images against 1 × 4.
@Suite("Data-parallel training: 2 ranks × batch 2 take the steps of 1 rank × batch 4", .serialized)
struct DataParallelTrainingTests {
    /// A 3-step segmenter stage with SGD (momentum), batch norm and dropout training.
    static let segmenterStage = """
          - name: seg
            losses: [{type: cross_entropy}]
            optimizer: {type: sgd, lr: 0.05, momentum: 0.9}
            iterations: 3
            checkpoint_every: 1
        """

    /// `recipe.yaml` with batch 4, outlier objects pasted and 64×64 crops, then `stages`.
    static func recipe(_ fixture: TrainingFixture, _ stages: String) throws -> LoadedRecipe {
        let loaded = try fixture.recipe(stages)
        let text = try String(contentsOfFile: loaded.files[0], encoding: .utf8)
            .replacingOccurrences(of: "  crop_size: [32, 32]", with: "  outliers: {root: \(fixture.folder.path)/data/coco, minimum_area: 0}\n  crop_size: [64, 64]")
            .replacingOccurrences(of: "  batch_size: 2", with: "  batch_size: 4")

        try Data(text.utf8).write(to: URL(fileURLWithPath: loaded.files[0]))
        return try RecipeLoader.load(loaded.files[0])
    }

    /// Trains `loaded` into `folder` on `ranks` ranks; rank 0's results.
    static func train(_ loaded: LoadedRecipe, _ fixture: TrainingFixture, folder: String, ranks: Int,
                      options: TrainOptions = .init(progress: .none)) throws -> [StageResult] {
        let compiled = try loaded.compiled(fixture.registry, workDir: fixture.folder.path + "/" + folder)
        guard ranks > 1 else { return try Trainer(compiled, options: options).run() }
        return try ThreadGroup.run(ranks: ranks) { group in try Trainer(compiled, options: options).runInGroup(group) }[0]
    }

    /// Every tensor of two checkpoints' models within `tolerance` relative; the worst key.
    static func compare(_ a: String, _ b: String, tolerance: Float = 1e-5) throws -> (equal: Bool, worst: String) {
        let (x, y) = (try Checkpoint.load(from: a).model, try Checkpoint.load(from: b).model)
        guard x.keys == y.keys else { return (false, "keys differ") }
        var worst = (key: "", error: Float(0))
        for key in x.keys {
            guard let p = x[key]?.scalars, let q = y[key]?.scalars, p.count == q.count else { return (false, key) }
            for (u, v) in zip(p, q) where abs(u - v) / (1 + abs(v)) > worst.error { worst = (key, abs(u - v) / (1 + abs(v))) }
        }
        return (worst.error <= tolerance, "\(worst.key): \(worst.error)")
    }

    static func close(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * (1 + abs($1)) }
    }

    /// The logged total losses of a stage's `log.jsonl` under `folder`.
    static func losses(_ fixture: TrainingFixture, _ folder: String, _ stage: String) throws -> [Float] {
        try String(contentsOfFile: fixture.folder.path + "/\(folder)/\(stage)/log.jsonl", encoding: .utf8).split(separator: "\n").compactMap { line in
            line.range(of: #""loss": ([0-9.e+-]+)"#, options: .regularExpression).flatMap { Float(line[$0].split(separator: " ")[1]) }
        }
    }

    /// Each of a stage's 3 steps taken on 2 ranks from the 1-rank run's state before it
    /// (its checkpoint, or `before` for the first) against the 1-rank run's next checkpoint:
    /// the worst relative difference of each step, and each step's logged losses.
    static func stepwise(_ loaded: LoadedRecipe, _ fixture: TrainingFixture, stage: String, before: String?) throws
        -> [(equal: Bool, worst: String, losses: [Float])] {
        let whole = fixture.folder.path + "/whole/\(stage)"
        let states = [before, whole + "/step_000001.h5", whole + "/step_000002.h5"]
        let after = [whole + "/step_000001.h5", whole + "/step_000002.h5", whole + "/final.h5"]
        let expected = try Self.losses(fixture, "whole", stage)
        return try (0..<3).map { k in
            let split = try Self.train(loaded, fixture, folder: "split-\(k)", ranks: 2,
                                       options: .init(resume: states[k], maxSteps: 1, progress: .none))
            let compared = try Self.compare(try #require(split.last).checkpoint, after[k])
            let losses = try Self.losses(fixture, "split-\(k)", stage)
            return (compared.equal && Self.close([losses.last ?? .nan], [expected[k]]), compared.worst, [losses.last ?? .nan, expected[k]])
        }
    }

    @Test("a segmenter stage (cross-entropy, SGD, BN and dropout training): each of 3 steps on 2 ranks from the 1-rank run's state equals its step to 1e-5 (weights, BN statistics, logged loss); per-rank BN does not")
    func segmenterSteps() throws {
        let fixture = try TrainingFixture(plugins: [RPLPlugin.self])
        let loaded = try Self.recipe(fixture, Self.segmenterStage)
        _ = try Self.train(loaded, fixture, folder: "whole", ranks: 1)
        for (k, step) in try Self.stepwise(loaded, fixture, stage: "seg", before: nil).enumerated() {
            #expect(step.equal, "step \(k + 1): worst \(step.worst), losses \(step.losses)")
        }
        let perRank = try Self.recipe(fixture, Self.segmenterStage + "\n    batch_norm: per_rank")
        let unsynchronised = try Self.train(perRank, fixture, folder: "per-rank", ranks: 2, options: .init(maxSteps: 1, progress: .none))
        #expect(try !Self.compare(unsynchronised[0].checkpoint, fixture.folder.path + "/whole/seg/step_000001.h5", tolerance: 1e-4).equal,
                "per-rank statistics take another step")
    }

    @Test("an RPL stage on a trained segmenter (rpl.inlier + rpl.positive_energy on pasted objects, head BN and dropout training; with CoroCL, crops and context images forwarded together and CoroCL drawing over the whole batch): each of 3 steps on 2 ranks equals its 1-rank step to 1e-5",
          arguments: [false, true])
    func rplSteps(corocl: Bool) throws {
        let fixture = try TrainingFixture(plugins: [RPLPlugin.self])
        let loaded = try Self.recipe(fixture, Self.segmenterStage + """

              - name: rpl
                head: {type: rpl, channels: 8}
                losses: [{type: rpl.inlier}, {type: rpl.positive_energy, weight: 0.05}\(corocl ? ", {type: corocl}" : "")]
                optimizer: {type: sgd, lr: 0.05, momentum: 0.9}
                iterations: 3
                checkpoint_every: 1
            """)
        let whole = try Self.train(loaded, fixture, folder: "whole", ranks: 1)
        #expect(whole.map(\.stage) == ["seg", "rpl"])
        if corocl {
            let log = try String(contentsOfFile: fixture.folder.path + "/whole/rpl/log.jsonl", encoding: .utf8).split(separator: "\n")
            let values = log.compactMap { line in
                line.range(of: #""corocl": ([0-9.e+-]+)"#, options: .regularExpression).flatMap { Float(line[$0].split(separator: " ")[1]) }
            }
            #expect(values.count == 3 && values.contains { $0 > 0 }, "some step takes the CoroCL term: \(log)")
        }
        for (k, step) in try Self.stepwise(loaded, fixture, stage: "rpl", before: whole[0].checkpoint).enumerated() {
            #expect(step.equal, "step \(k + 1): worst \(step.worst), losses \(step.losses)")
        }
    }

    @Test("RPL's loss terms' shares on 2 ranks add up to their value on the whole batch, gradients alike", arguments: ["rpl.inlier", "rpl.positive_energy"])
    func termsSplit(_ name: String) throws {
        let term: any LossTerm = name == "rpl.inlier" ? RPLInlierLoss() : RPLPositiveEnergyLoss()
        #expect(term.splitsOverShards)
        let (batch, segmenter, head) = LossShares.randomInputs(seed: 5)
        let shares = try LossShares(term, batch: batch, segmenterLogits: segmenter, headLogits: head, ranks: 2)
        #expect(abs(shares.summed - shares.whole) <= 1e-5 * (1 + abs(shares.whole)), "\(shares.summed) against \(shares.whole)")
        for (shared, whole) in zip(shares.sharedGradients, shares.wholeGradients) { expectClose(shared, whole, tolerance: 1e-5, name) }
    }

    @Test("a stage that cannot split is refused before its first step, naming the term; a batch of 4 on 3 ranks names the batch size")
    func refusals() throws {
        let fixture = try TrainingFixture(plugins: [RPLPlugin.self, WholeBatchPlugin.self])
        let unsplit = try Self.recipe(fixture, """
              - name: seg
                losses: [{type: whole_batch}]
                optimizer: {type: sgd, lr: 0.01}
                iterations: 1
            """)
        #expect {
            _ = try Self.train(unsplit, fixture, folder: "unsplit", ranks: 2)
        } throws: { "\($0)".contains("stage 'seg' cannot train on several ranks: its loss term 'whole_batch'") }
        let segmenter = try Self.recipe(fixture, Self.segmenterStage)
        #expect {
            _ = try Self.train(segmenter, fixture, folder: "three", ranks: 3)
        } throws: { "\($0)".contains("a batch of 4 images cannot be split into 3 equal parts") }
    }
}

/// A loss term that does not say it splits over shards (the default): a data-parallel run refuses it.
struct WholeBatchLoss: LossTerm {
    var name: String { "whole_batch" }
    func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor { seg.logits.mean() }
}

/// Registers `whole_batch`.
enum WholeBatchPlugin: Plugin {
    static func register(into registry: inout Registry) throws {
        try registry.losses.register("whole_batch", summary: "the mean logit (a test term that does not split)", config: EmptyConfig.self) { _, _ in
            WholeBatchLoss()
        }
    }
}
