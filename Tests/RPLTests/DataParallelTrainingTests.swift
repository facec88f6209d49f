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

    @Test("a segmenter stage (cross-entropy, SGD, BN and dropout training): each of 3 steps on 2 ranks from the 1-rank run's state equals its step to 1e-5 (weights, BN statistics, logged loss); per-rank BN does not")
    func segmenterSteps() throws {
        let runs = DataParallelRuns(try TrainingFixture(plugins: [RPLPlugin.self]))
        let loaded = try runs.recipe(Self.segmenterStage)
        _ = try runs.train(loaded, folder: "whole", ranks: 1)
        for (k, step) in try runs.stepwise(loaded, stage: "seg", before: nil).enumerated() {
            #expect(step.equal, "step \(k + 1): worst \(step.worst), losses \(step.losses)")
        }
        let perRank = try runs.recipe(Self.segmenterStage + "\n    batch_norm: per_rank")
        let unsynchronised = try runs.train(perRank, folder: "per-rank", ranks: 2, options: .init(maxSteps: 1, progress: .none))
        #expect(try !DataParallelRuns.compare(unsynchronised[0].checkpoint, runs.fixture.folder.path + "/whole/seg/step_000001.h5", tolerance: 1e-4).equal,
                "per-rank statistics take another step")
    }

    @Test("an RPL stage on a trained segmenter (rpl.inlier + rpl.positive_energy on pasted objects, head BN and dropout training; with CoroCL, crops and context images forwarded together and CoroCL drawing over the whole batch): each of 3 steps on 2 ranks equals its 1-rank step to 1e-5",
          arguments: [false, true])
    func rplSteps(corocl: Bool) throws {
        let runs = DataParallelRuns(try TrainingFixture(plugins: [RPLPlugin.self]))
        let loaded = try runs.recipe(Self.segmenterStage + """

              - name: rpl
                head: {type: rpl, channels: 8}
                losses: [{type: rpl.inlier}, {type: rpl.positive_energy, weight: 0.05}\(corocl ? ", {type: corocl}" : "")]
                optimizer: {type: sgd, lr: 0.05, momentum: 0.9}
                iterations: 3
                checkpoint_every: 1
            """)
        let whole = try runs.train(loaded, folder: "whole", ranks: 1)
        #expect(whole.map(\.stage) == ["seg", "rpl"])
        if corocl {
            let log = try String(contentsOfFile: runs.fixture.folder.path + "/whole/rpl/log.jsonl", encoding: .utf8).split(separator: "\n")
            let values = log.compactMap { line in
                line.range(of: #""corocl": ([0-9.e+-]+)"#, options: .regularExpression).flatMap { Float(line[$0].split(separator: " ")[1]) }
            }
            #expect(values.count == 3 && values.contains { $0 > 0 }, "some step takes the CoroCL term: \(log)")
        }
        for (k, step) in try runs.stepwise(loaded, stage: "rpl", before: whole[0].checkpoint).enumerated() {
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
        let runs = DataParallelRuns(try TrainingFixture(plugins: [RPLPlugin.self, WholeBatchPlugin.self]))
        let unsplit = try runs.recipe("""
              - name: seg
                losses: [{type: whole_batch}]
                optimizer: {type: sgd, lr: 0.01}
                iterations: 1
            """)
        #expect {
            _ = try runs.train(unsplit, folder: "unsplit", ranks: 2)
        } throws: { "\($0)".contains("stage 'seg' cannot train on several ranks: its loss term 'whole_batch'") }
        let segmenter = try runs.recipe(Self.segmenterStage)
        #expect {
            _ = try runs.train(segmenter, folder: "three", ranks: 3)
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
