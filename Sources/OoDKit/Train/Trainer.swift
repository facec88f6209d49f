import Foundation
import ModelZoo
import NeuralNet
import SceneData
import TensorCore

/// Options of one `pixelood train` run.
public struct TrainOptions: Sendable {
    /// A checkpoint to resume from (any `step_*.h5` or `final.h5` of this recipe's run).
    public var resume: String?
    /// Stop (with a checkpoint) after this many steps of this run, as if interrupted.
    public var maxSteps: Int?
    /// Resume from a checkpoint written under another recipe (fine-tuning-style
    /// continuation); without it such a resume is refused with the differing keys.
    public var allowRecipeChange: Bool
    /// How progress is shown.
    public var progress: ProgressStyle
    /// Raised by Ctrl-C.
    public var interrupt: InterruptFlag?
    /// The feature-store folder `trains: fit` stages read backbone maps through (nil: none).
    public var storeDirectory: String?
    /// Where warnings go (a head whose classifier margin cannot carry its target).
    public var warn: @Sendable (String) -> Void

    /// Options with the defaults: no resume, progress `auto`, no store, warnings dropped.
    public init(resume: String? = nil, maxSteps: Int? = nil, allowRecipeChange: Bool = false,
                progress: ProgressStyle = .auto, interrupt: InterruptFlag? = nil, storeDirectory: String? = nil,
                warn: @escaping @Sendable (String) -> Void = { _ in }) {
        (self.resume, self.maxSteps, self.progress, self.interrupt) = (resume, maxSteps, progress, interrupt)
        (self.allowRecipeChange, self.storeDirectory, self.warn) = (allowRecipeChange, storeDirectory, warn)
    }
}

/// What a finished stage left behind.
public struct StageResult: Sendable {
    /// The stage's name.
    public var stage: String
    /// Steps run in this call (fewer than the stage's iterations after a resume).
    public var stepsRun: Int
    /// The stage's last checkpoint (`final.h5`, or the `step_*.h5` of a stop).
    public var checkpoint: String
    /// The total loss of the last step.
    public var lastLoss: Float
    /// Wall time of the stage in this call.
    public var seconds: Double
    /// The training images a `trains: fit` stage fitted on (nil for a trained stage).
    public var fittedImages: Int? = nil
}

/// Runs a recipe's stages: builds the segmenter (and its `checkpoint:`), then per stage the
/// head, losses, optimizer and loader; trains with the frozen parts under `noGrad` and BN in
/// eval mode; checkpoints atomically every `checkpoint_every` steps and at the end; logs
/// every loss term per step as JSON lines. A resumed run continues bitwise as the
/// uninterrupted one: batches are a pure function of (seed, epoch, index), dropout is
/// reseeded per step, and optimizer state and BN statistics travel in the checkpoint.
public struct Trainer {
    /// The compiled recipe (its configs checked, its folders named).
    public let compiled: CompiledRun
    /// The run's options.
    public let options: TrainOptions

    /// A trainer for `compiled`.
    public init(_ compiled: CompiledRun, options: TrainOptions = TrainOptions()) {
        (self.compiled, self.options) = (compiled, options)
    }

    /// The recipe as loaded.
    var loaded: LoadedRecipe { compiled.loaded }
    /// The registry the recipe's names resolve in.
    var registry: Registry { compiled.registry }

    /// Trains every stage (from the resume point).
    /// - Throws: ``TrainError`` (NaN loss naming the term, interruption), ``RecipeError``,
    ///   dataset and checkpoint errors.
    /// - Returns: one result per stage run.
    public func run() throws -> [StageResult] { try runInGroup(SingleProcess()) }

    /// Trains every stage data-parallel over the ranks of `group` (every rank calls it): each
    /// rank forwards its equal share of the global batch one process would draw, the loss
    /// shares' gradients are summed across the ranks before the same optimizer step on every
    /// rank, batch norm is synchronised (`batch_norm`) and dropout draws the whole batch's
    /// masks (``DataParallel``); rank 0 alone writes the log, the checkpoints and the
    /// progress. Checkpoints hold no rank count: any number of ranks resumes them. One rank
    /// is ``run()``.
    /// - Throws: as ``run()``; ``TrainError/notDataParallel(stage:reason:)`` for a stage that
    ///   cannot be split; when the batch size is not a multiple of the ranks.
    /// - Returns: one result per stage run, on every rank.
    public func runInGroup(_ group: any ProcessGroup) throws -> [StageResult] {
        let parallel = group.size > 1 ? DataParallel(group: group) : nil
        let recipe = loaded.recipe
        guard !recipe.stages.isEmpty else { throw TrainError.invalidRecipe("the recipe has no stages to train") }
        guard let data = recipe.data else { throw TrainError.invalidRecipe("the recipe has no data section") }
        let (context, segmenter) = try buildSegmenter()

        var start = (stage: 0, step: 0)
        var resumed: Checkpoint?
        if let path = options.resume {
            let checkpoint = try Checkpoint.load(from: path)
            start = try Self.position(of: checkpoint, path: path, stages: recipe.stages)
            if !options.allowRecipeChange { try Self.checkRecipe(of: checkpoint, path: path, against: loaded) }
            try segmenter.load(checkpoint.model.scoped("segmenter"), source: path)
            resumed = checkpoint
        }
        var results: [StageResult] = []
        var budget = options.maxSteps ?? Int.max
        for (index, stage) in recipe.stages.enumerated() where index >= start.stage {
            guard budget > 0 else { break }
            context.rng = SeededGenerator(seed: recipe.seed).derived(UInt64(index) &+ 1)
            let training: GradientTraining
            switch stage.kind {
            case .fit(let fit):
                if parallel != nil {
                    throw TrainError.notDataParallel(stage: stage.name, reason: "it is a 'trains: fit' stage (one fitting pass, no gradient)")
                }
                results.append(try HeadFitting(name: stage.name, fit: fit, index: index).run(self, segmenter: segmenter, context: context))
                continue
            case .gradient(let gradient):
                training = gradient
            }
            let plan = try StagePlan(name: stage.name, training: training, segmenter: segmenter, context: context)
            if let parallel {
                try parallel.check(plan)
                parallel.attachBatchNorm(plan, segmenter: segmenter)
            }
            if group.rank == 0, let warning = plan.capacityWarning(segmenter: segmenter) { options.warn(warning) }
            var firstStep = 0
            if let checkpoint = resumed, index == start.stage, start.step > 0 {
                if let head = plan.head { try head.load(checkpoint.model.scoped("head"), source: options.resume) }
                try plan.optimizer.load(checkpoint.optimizer)
                firstStep = start.step
            }
            let loader = try data.loader(registry: registry, context: context, seed: recipe.seed, stage: index)
            let result = try runStage(plan, index: index, segmenter: segmenter, loader: loader, from: firstStep, parallel: parallel,
                                      budget: &budget)
            results.append(result)
        }
        return results
    }

    /// Times training steps of stage `stage` on the recipe's own batches, exactly as ``run()``
    /// trains them (the same forward, loss terms, backward and optimizer step), writing
    /// nothing: `warmup` untimed steps, then `steps` timed ones. `pixelood bench step` runs it;
    /// inside an ``OpProfile`` every op and the phases `data`, `optimizer step` are charged.
    /// - Throws: as ``run()``; ``TrainError/invalidRecipe(_:)`` for a stage the recipe lacks.
    /// - Returns: the seconds of each timed step.
    public func timeSteps(stage index: Int = 0, steps: Int, warmup: Int = 1) throws -> [Double] {
        let recipe = loaded.recipe
        guard recipe.stages.indices.contains(index) else {
            throw TrainError.invalidRecipe("the recipe has no stage \(index) (it has \(recipe.stages.count))")
        }
        guard let data = recipe.data else { throw TrainError.invalidRecipe("the recipe has no data section") }
        guard let training = recipe.stages[index].gradient else {
            throw TrainError.invalidRecipe("stage \(index) ('\(recipe.stages[index].name)') is a 'trains: fit' stage: it takes no steps to time")
        }
        let (context, segmenter) = try buildSegmenter()
        context.rng = SeededGenerator(seed: recipe.seed).derived(UInt64(index) &+ 1)
        let plan = try StagePlan(name: recipe.stages[index].name, training: training, segmenter: segmenter, context: context)
        let loader = try data.loader(registry: registry, context: context, seed: recipe.seed, stage: index)
        let total = training.steps(batchesPerEpoch: loader.batchesPerEpoch)
        var times: [Double] = []
        for step in 0..<(warmup + steps) {
            let batch = try loader.batch(step % loader.batchesPerEpoch, epoch: step / loader.batchesPerEpoch)
            OpProfile.charge("data: batch (untimed)")
            let start = Date()
            _ = try trainStep(plan, segmenter: segmenter, batch: batch, step: step, total: max(total, warmup + steps), lastCheckpoint: nil,
                              parallel: nil)
            if step >= warmup { times.append(Date().timeIntervalSince(start)) }
        }
        return times
    }

    /// The build context seeded from the recipe and the segmenter attached to it, with the
    /// recipe's `checkpoint:` loaded.
    private func buildSegmenter() throws -> (BuildContext, any Segmenter) {
        let model = try compiled.model(weights: loaded.recipe.checkpoint)
        return (model.context, model.segmenter)
    }

    /// Trains one stage from `firstStep` (on this rank's share when `parallel`; rank 0 writes).
    private func runStage(_ plan: StagePlan, index: Int, segmenter: any Segmenter, loader: DataLoader, from firstStep: Int,
                          parallel: DataParallel?, budget: inout Int) throws -> StageResult {
        let (name, training) = (plan.name, plan.training)
        let total = training.steps(batchesPerEpoch: loader.batchesPerEpoch)
        guard firstStep <= total else {
            throw TrainError.badResume(path: options.resume ?? "", reason: "step \(firstStep) is past stage '\(name)' (\(total) steps)")
        }
        let layout = compiled.layout
        let writes = (parallel?.group.rank ?? 0) == 0
        if writes { try FileManager.default.createDirectory(atPath: layout.stageFolder(name), withIntermediateDirectories: true) }
        let log = writes ? try TrainingLog(path: layout.log(name), keepSteps: firstStep) : nil
        var progress = ProgressReporter(stage: name, total: total, firstStep: firstStep, style: writes ? options.progress : .none)
        let began = Date()
        var lastCheckpoint: String? = firstStep > 0 ? options.resume : nil
        var lastLoss: Float = .nan
        var step = firstStep
        var batches: PrefetchingIterator?
        var batchesEpoch = -1
        while step < total {
            let epoch = step / loader.batchesPerEpoch, position = step % loader.batchesPerEpoch
            if batchesEpoch != epoch {
                batches = loader.makeIterator(epoch: epoch, from: position, workers: loaded.recipe.data?.workers ?? 2)
                batchesEpoch = epoch
            }
            guard let batch = try batches?.next() else { break }
            let stepStart = Date()
            let (loss, terms, interrupted) = try trainStep(plan, segmenter: segmenter, batch: batch, step: step, total: total,
                                                           lastCheckpoint: lastCheckpoint, parallel: parallel)
            step += 1
            lastLoss = loss
            log?.append(stage: name, step: step, learningRate: plan.optimizer.learningRate, loss: loss, terms: terms,
                       seconds: Date().timeIntervalSince(stepStart))
            progress.update(step: step, loss: loss)
            budget -= 1
            if step == total || interrupted || budget <= 0 || (training.checkpointEvery > 0 && step % training.checkpointEvery == 0) {
                let path = step == total ? layout.final(name) : layout.checkpoint(name, step: step)
                if writes {
                    try checkpoint(plan, segmenter: segmenter, stage: index, step: step, finished: step == total,
                                   epoch: step / loader.batchesPerEpoch).save(to: path)
                }
                lastCheckpoint = path
                if interrupted {
                    try parallel?.group.barrier()  // no rank stops the job before rank 0 has written the checkpoint
                    throw TrainError.interrupted(stage: name, step: step, checkpoint: path)
                }
                if budget <= 0 { break }
            }
        }
        return StageResult(stage: name, stepsRun: step - firstStep, checkpoint: lastCheckpoint ?? "",
                           lastLoss: lastLoss, seconds: Date().timeIntervalSince(began))
    }

    /// One optimizer step on the global `batch` (this rank's share of it when `parallel`);
    /// returns the total loss and each term over the whole batch, and whether an interrupt
    /// was raised (on any rank).
    private func trainStep(_ plan: StagePlan, segmenter: any Segmenter, batch: TrainingBatch, step: Int, total: Int,
                           lastCheckpoint: String?, parallel: DataParallel?) throws -> (Float, [(String, Float)], Bool) {
        let share = try parallel.map { try batch.shard($0.group.rank, of: $0.group.size, ranks: $0.group) } ?? batch
        let computation = TrainingStep(segmenter: segmenter, head: plan.head, losses: plan.losses, trainsSegmenter: plan.training.trains != .head,
                                       reachesEveryOutput: parallel != nil)
        plan.reseed(segmenter, seed: loaded.recipe.seed, step: step,
                    positions: parallel?.positions(of: share, withContext: computation.forwardsContext(share)))
        plan.optimizer.learningRate = plan.baseLearningRate * plan.schedule.factor(iteration: step, total: total)
        plan.optimizer.zeroGrad()
        let (loss, shares, headOutput) = try computation.loss(share)
        var (values, lossValue, interrupted) = (shares, loss.item, options.interrupt?.isRaised == true)
        if let parallel {
            let summed = try parallel.summed(shares.map(\.value) + [lossValue], interrupted: interrupted)
            values = zip(shares, summed.values).map { ($0.name, $1) }
            (lossValue, interrupted) = (summed.values.last ?? lossValue, summed.interrupted)
        }
        for (term, value) in values where !value.isFinite {
            throw TrainError.nonFiniteLoss(stage: plan.name, step: step + 1, term: term, value: value, lastCheckpoint: lastCheckpoint)
        }
        if loss.requiresGrad {
            loss.backward()
            try parallel?.sumGradients(plan)
            if let maximum = plan.training.clipGradNorm { _ = plan.clipGradients(to: maximum) }
            OpProfile.charge("gradients: sum over ranks, clip")
            plan.optimizer.step()
            OpProfile.charge("optimizer step")
        }
        if let updating = plan.head as? any StepUpdatingHead { try updating.update(after: share, output: headOutput) }
        return (lossValue, values, interrupted)
    }

    /// The checkpoint after `step` of stage `stage`.
    private func checkpoint(_ plan: StagePlan, segmenter: any Segmenter, stage: Int, step: Int, finished: Bool,
                            epoch: Int) -> Checkpoint {
        Checkpoint(model: plan.modelState(segmenter), optimizer: plan.optimizer.stateDict(),
                   trainer: Self.trainerState(stage: stage, step: step, finished: finished),
                   metadata: CheckpointMetadata(recipe: loaded.text, seed: loaded.recipe.seed, step: step, epoch: epoch))
    }

    /// A checkpoint's `/trainer` group: where in the recipe it stands.
    static func trainerState(stage: Int, step: Int, finished: Bool) -> StateDict {
        var trainer = StateDict()
        trainer.append("stage_index", Tensor(Float(stage)), dtype: .int64)
        trainer.append("step", Tensor(Float(step)), dtype: .int64)
        trainer.append("stage_finished", Tensor(finished ? 1 : 0), dtype: .int64)
        return trainer
    }

    /// Before `train` continues its own work folder (or starts in an empty one): the folder's
    /// record of the `checkpoint:` weights it started from (`start.json`) must still match the
    /// file; an empty folder records them. Nothing to check without `checkpoint:`.
    /// - Throws: ``TrainError/changedStart(folder:checkpoint:recorded:)``; what reading the
    ///   checkpoint or writing the record throws.
    public static func checkStart(of compiled: CompiledRun, continuing: Bool) throws {
        guard let checkpoint = compiled.loaded.recipe.checkpoint else { return }
        let folder = compiled.layout.workDir
        switch try RunStartRecord.check(checkpoint, folder: folder, hasResults: continuing) {
        case .same: return
        case .changed: throw TrainError.changedStart(folder: folder, checkpoint: checkpoint, recorded: true)
        case .unrecorded: throw TrainError.changedStart(folder: folder, checkpoint: checkpoint, recorded: false)
        }
    }

    /// The sections a resume may change freely: they do not enter training.
    static let resumeIgnores: Set<String> = ["eval", "work_dir"]

    /// Refuses a resume checkpoint whose recorded recipe differs from `loaded` outside
    /// ``resumeIgnores``, naming every differing key.
    /// - Throws: ``TrainError/recipeChanged(path:differences:)``; ``TrainError/badResume(path:reason:)``
    ///   when the recorded recipe cannot be read.
    static func checkRecipe(of checkpoint: Checkpoint, path: String, against loaded: LoadedRecipe) throws {
        let recorded: RecipeValue, now: RecipeValue
        do {
            recorded = try RecipeParser.parse(checkpoint.metadata.recipe, file: path + " (recorded recipe)")
            now = try RecipeParser.parse(loaded.text, file: "the recipe")
        } catch {
            throw TrainError.badResume(path: path, reason: "its recorded recipe cannot be read (\(error))")
        }
        let differences = recorded.differences(to: now, ignoring: resumeIgnores)
        guard differences.isEmpty else { throw TrainError.recipeChanged(path: path, differences: differences) }
    }

    /// Where a checkpoint stands in the recipe's stages: the stage to run and its first step.
    static func position(of checkpoint: Checkpoint, path: String, stages: [StageConfig]) throws -> (stage: Int, step: Int) {
        guard let stage = checkpoint.trainer["stage_index"], let step = checkpoint.trainer["step"], stage.count == 1, step.count == 1
        else { throw TrainError.badResume(path: path, reason: "it holds no trainer state (/trainer/stage_index, /trainer/step)") }
        let (s, k) = (Int(stage.item), Int(step.item))
        guard stages.indices.contains(s) else {
            throw TrainError.badResume(path: path, reason: "it is from stage \(s), the recipe has \(stages.count)")
        }
        guard k >= 0 else { throw TrainError.badResume(path: path, reason: "negative step \(k)") }
        return checkpoint.trainer["stage_finished"]?.item == 1 ? (s + 1, 0) : (s, k)
    }
}
