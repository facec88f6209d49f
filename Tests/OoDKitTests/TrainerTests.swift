import Foundation
import Testing
import ModelZoo
import NeuralNet
import OoDKit
import SceneData
import TensorCore
import PixelOoDTestSupport

/// A loss term that is NaN from its `after + 1`-th call on (counts its calls).
struct NaNAfterLoss: LossTerm {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var calls = 0
        func next() -> Int { lock.lock(); defer { lock.unlock() }; calls += 1; return calls }
    }
    let after: Int
    let counter = Counter()
    var name: String { "test.nan_after" }
    func callAsFunction(_ batch: TrainingBatch, _ seg: SegmenterOutput, _ head: HeadOutput) throws -> Tensor {
        let call = counter.next()
        let mean = seg.logits.mean()
        return call > after ? mean * Float.nan : mean * 0
    }
}

struct NaNAfterConfig: RecipeConfig {
    var after: Int
    enum CodingKeys: String, CodingKey { case after }
    init(from decoder: any Decoder) throws { after = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .after) }
}

enum TrainingTestPlugin: Plugin {
    static func register(into registry: inout Registry) throws {
        try ProbePlugin.register(into: &registry)
        try registry.losses.register("test.nan_after", summary: "NaN after N calls", config: NaNAfterConfig.self) { c, _ in
            NaNAfterLoss(after: c.after)
        }
    }
}

extension TrainingFixture {
    /// The fixture with the trainer tests' plugins (the probe head, the NaN term).
    init() throws { try self.init(plugins: [TrainingTestPlugin.self]) }
}

@Suite("The trainer", .serialized)
struct TrainerTests {
    @Test("a run stopped after 3 steps and resumed from its checkpoint equals the uninterrupted run, bitwise")
    func resumeIsBitwise() throws {
        let fixture = try TrainingFixture()
        let loaded = try fixture.recipe(TrainingFixture.segmenterStage)
        let straight = try Trainer(try loaded.compiled(fixture.registry), options: .init(progress: .none)).run()
        let straightState = try Checkpoint.load(from: straight[0].checkpoint)
        let straightLog = try fixture.logLines("seg")
        #expect(straightLog.count == 5)

        let stopped = try Trainer(try loaded.compiled(fixture.registry), options: .init(maxSteps: 3, progress: .none)).run()
        #expect(stopped[0].stepsRun == 3 && stopped[0].checkpoint.hasSuffix("step_000003.h5"))
        let resumed = try Trainer(try loaded.compiled(fixture.registry),
                                  options: .init(resume: stopped[0].checkpoint, progress: .none)).run()
        #expect(resumed[0].stepsRun == 2)
        let resumedState = try Checkpoint.load(from: resumed[0].checkpoint)
        #expect(resumedState.model.keys == straightState.model.keys)
        for entry in straightState.model.entries { #expect(resumedState.model[entry.key]?.scalars == entry.tensor.scalars, "\(entry.key)") }
        for entry in straightState.optimizer.entries { #expect(resumedState.optimizer[entry.key]?.scalars == entry.tensor.scalars, "\(entry.key)") }
        #expect(try fixture.logLines("seg") == straightLog, "the log of the resumed run equals the uninterrupted one")
        #expect(resumedState.metadata.step == 5 && resumedState.metadata.seed == 5 && resumedState.metadata.recipe.contains("mobilenet_v2"))
    }

    @Test("a resume checkpoint written under another recipe is refused naming the differing key; eval may differ; --allow-recipe-change continues it")
    func resumeChecksRecipe() throws {
        let fixture = try TrainingFixture()
        let stopped = try Trainer(try fixture.recipe(TrainingFixture.segmenterStage).compiled(fixture.registry),
                                  options: .init(maxSteps: 3, progress: .none)).run()[0].checkpoint
        let changed = try fixture.recipe(TrainingFixture.segmenterStage.replacingOccurrences(of: "lr: 0.001", with: "lr: 0.5"))
        #expect(throws: TrainError.recipeChanged(path: stopped, differences: ["stages.0.optimizer.lr: 0.001 → 0.5"])) {
            _ = try Trainer(try changed.compiled(fixture.registry), options: .init(resume: stopped, progress: .none)).run()
        }
        let refusal = TrainError.recipeChanged(path: stopped, differences: ["stages.0.optimizer.lr: 0.001 → 0.5"]).description
        #expect(refusal.contains("stages.0.optimizer.lr: 0.001 → 0.5") && refusal.contains("--allow-recipe-change"))
        let otherEval = try fixture.recipe(TrainingFixture.segmenterStage, extra: "eval: {scores: [max_logit]}")
        #expect(try Trainer(try otherEval.compiled(fixture.registry), options: .init(resume: stopped, progress: .none)).run()[0].stepsRun == 2)
        let continued = try Trainer(try changed.compiled(fixture.registry),
                                    options: .init(resume: stopped, allowRecipeChange: true, progress: .none)).run()
        #expect(continued[0].stepsRun == 2)
    }

    @Test("a NaN loss stops at its step naming the term; the last good checkpoint is intact and nothing later is written")
    func nanStops() throws {
        let fixture = try TrainingFixture()
        let loaded = try fixture.recipe("""
              - name: seg
                losses: [{type: cross_entropy}, {type: test.nan_after, after: 3, weight: 0.5}]
                optimizer: {type: sgd, lr: 0.01}
                iterations: 6
                checkpoint_every: 2
            """)
        do {
            _ = try Trainer(try loaded.compiled(fixture.registry), options: .init(progress: .none)).run()
            Issue.record("a NaN loss trained on")
        } catch let error as TrainError {
            let last = fixture.folder.path + "/run/seg/step_000002.h5"
            #expect(error == .nonFiniteLoss(stage: "seg", step: 4, term: "test.nan_after", value: .nan, lastCheckpoint: last)
                    || error.description.contains("step 4: loss term 'test.nan_after' is nan"), "\(error)")
            #expect(error.description.contains(last))
            #expect(try Checkpoint.load(from: last).metadata.step == 2)
            #expect(!FileManager.default.fileExists(atPath: fixture.folder.path + "/run/seg/step_000004.h5"))
            #expect(try fixture.logLines("seg").count == 3)
        }
    }

    @Test("training a head leaves the frozen segmenter bitwise unchanged, BN statistics included; only head. keys move")
    func frozenSegmenter() throws {
        let fixture = try TrainingFixture()
        let loaded = try fixture.recipe("""
              - name: probe
                head: {type: probe, feature: out}
                losses: [{type: cross_entropy, logits: head}]
                optimizer: {type: adam, lr: 0.01}
                lr_multipliers: [{prefix: head.conv.bias, multiplier: 10}]
                iterations: 3
            """)
        let context = BuildContext(registry: fixture.registry, rng: SeededGenerator(seed: 5))
        let before = try fixture.registry.segmenters.build(loaded.recipe.segmenter, context).stateDict()
        let result = try Trainer(try loaded.compiled(fixture.registry), options: .init(progress: .none)).run()
        let after = try Checkpoint.load(from: result[0].checkpoint)
        for entry in before.entries {
            #expect(after.model["segmenter." + entry.key]?.scalars == entry.tensor.scalars, "\(entry.key) moved")
        }
        #expect(after.model.roots == ["segmenter", "head"])
        #expect(after.optimizer.keys.contains("head.conv.weight.exp_avg"))
        #expect(!after.optimizer.keys.contains { $0.hasPrefix("segmenter.") })
    }

    @Test("an interrupt finishes the step, writes a checkpoint and stops with its path")
    func interrupt() throws {
        let fixture = try TrainingFixture()
        let flag = InterruptFlag()
        flag.raise()
        do {
            _ = try Trainer(try fixture.recipe(TrainingFixture.segmenterStage).compiled(fixture.registry),
                            options: .init(progress: .none, interrupt: flag)).run()
            Issue.record("an interrupted run finished")
        } catch let error as TrainError {
            let path = fixture.folder.path + "/run/seg/step_000001.h5"
            #expect(error == .interrupted(stage: "seg", step: 1, checkpoint: path))
            #expect(try Checkpoint.load(from: path).metadata.step == 1)
        }
    }

    /// Two SGD steps of a `trains: segmenter.final` stage with `frozenMode`: the recipe, the
    /// initial segmenter state and the trained one.
    private func trainFinalBlock(_ fixture: TrainingFixture, frozenMode: String) throws -> (LoadedRecipe, StateDict, StateDict) {
        let loaded = try fixture.recipe("""
              - name: final
                trains: segmenter.final
                frozen_mode: \(frozenMode)
                losses: [{type: cross_entropy}]
                optimizer: {type: sgd, lr: 0.05}
                iterations: 2
            """)
        let context = BuildContext(registry: fixture.registry, rng: SeededGenerator(seed: 5))
        let before = try fixture.registry.segmenters.build(loaded.recipe.segmenter, context).stateDict()
        let result = try Trainer(try loaded.compiled(fixture.registry), options: .init(progress: .none)).run()
        return (loaded, before, try Checkpoint.load(from: result[0].checkpoint).model.scoped("segmenter"))
    }

    @Test("trains: segmenter.final moves only the final block; a resume checkpoint from another recipe is refused")
    func finalBlockOnly() throws {
        let fixture = try TrainingFixture()
        let (loaded, before, after) = try trainFinalBlock(fixture, frozenMode: "eval")
        for entry in before.entries where !entry.key.hasPrefix("final.") {
            #expect(after[entry.key]?.scalars == entry.tensor.scalars, "\(entry.key) moved outside the final block")
        }
        #expect(after["final.0.weight"]?.scalars != before["final.0.weight"]?.scalars, "the final block trained")
        let plain = fixture.folder.appendingPathComponent("plain.h5").path
        try before.save(to: plain)
        #expect(throws: TrainError.self) {
            _ = try Trainer(try loaded.compiled(fixture.registry), options: .init(resume: plain, progress: .none)).run()
        }
    }

    @Test("frozen_mode: train lets the frozen layers' BN statistics drift (PEBAL's code) while their weights stay; it does not apply to trains: segmenter or fit")
    func frozenModeTrain() throws {
        let (_, before, after) = try trainFinalBlock(try TrainingFixture(), frozenMode: "train")
        let statistics = before.keys.filter { !$0.hasPrefix("final.") && $0.hasSuffix("running_mean") }
        #expect(!statistics.isEmpty && statistics.allSatisfy { after[$0]?.scalars != before[$0]?.scalars }, "BN statistics drifted")
        for entry in before.entries where !entry.key.hasPrefix("final.") && entry.key.hasSuffix("weight") {
            #expect(after[entry.key]?.scalars == entry.tensor.scalars, "\(entry.key) trained outside the final block")
        }
        for (stage, key) in [("{name: s, frozen_mode: train, losses: [cross_entropy], optimizer: sgd, iterations: 1}", "stages.0.frozen_mode"),
                             ("{name: f, trains: fit, head: h, checkpoint_every: 5}", "stages.0.checkpoint_every"),
                             ("{name: f, trains: fit, head: h, frozen_mode: train}", "stages.0.frozen_mode")] {
            let error = try recipeError("segmenter: deeplabv3plus\nstages: [\(stage)]\n")
            #expect(error.keyPath == key, "\(stage): \(error)")
        }
    }

    @Test("clip_grad_norm bounds the update; epochs count full batches (4 images, batch 2: 2 steps per epoch)")
    func clippingAndEpochs() throws {
        let fixture = try TrainingFixture()
        let loaded = try fixture.recipe("""
              - name: clipped
                losses: [{type: cross_entropy}]
                optimizer: {type: sgd, lr: 1.0, momentum: 0}
                schedule: constant
                clip_grad_norm: 1.0e-4
                epochs: 1
            """)
        let context = BuildContext(registry: fixture.registry, rng: SeededGenerator(seed: 5))
        let before = try fixture.registry.segmenters.build(loaded.recipe.segmenter, context).stateDict()
        let result = try Trainer(try loaded.compiled(fixture.registry), options: .init(progress: .none)).run()
        #expect(result[0].stepsRun == 2)
        let after = try Checkpoint.load(from: result[0].checkpoint).model.scoped("segmenter")
        var squared: Double = 0
        for entry in before.entries where !entry.key.contains("running") && !entry.key.hasSuffix("num_batches_tracked") {
            for (a, b) in zip(entry.tensor.scalars, after[entry.key]?.scalars ?? []) { squared += Double(a - b) * Double(a - b) }
        }
        #expect(squared.squareRoot() <= 2 * 1.0e-4 * 1.0001, "two clipped steps of lr 1 move the weights by at most 2e-4")
        #expect(squared > 0)
    }
}
