import ModelZoo
import NeuralNet
import TensorCore

/// One stage, built: the head (if any), the weighted loss terms, what trains, the
/// optimizer over parameter groups with the recipe's multipliers, and the schedule.
struct StagePlan {
    /// The stage's name.
    let name: String
    /// What it trains and how.
    let training: GradientTraining
    let head: (any OoDHead)?
    let losses: [(term: any LossTerm, weight: Float)]
    let trainable: [(key: String, parameter: Parameter)]
    let optimizer: any Optimizer
    let baseLearningRate: Float
    let schedule: any LearningRateSchedule

    /// Builds the stage on `segmenter` and sets modes and gradients: the parts that do not
    /// train are frozen, with BN in eval mode unless `frozen_mode: train`.
    /// - Throws: ``RecipeError`` from the nodes, ``TrainError/invalidRecipe(_:)`` for a
    ///   segmenter without the block to train or a stage with nothing to train.
    init(name: String, training: GradientTraining, segmenter: any Segmenter, context: BuildContext) throws {
        (self.name, self.training) = (name, training)
        let registry = context.registry
        head = try training.head.map { try registry.heads.build($0, context) }
        losses = try training.losses.map { node in
            let term = try registry.losses.build(node, context, alsoRead: ["weight"])
            let weight = try node.value["weight"].map {
                try RecipeDecoder(keyPath: node.keyPath + ["weight"]).decode(Float.self, from: $0)
            } ?? 1
            return (term, weight)
        }
        let factory = try registry.optimizers.build(training.optimizer, context)
        schedule = try training.schedule.map { try registry.schedules.build($0, context) } ?? PolySchedule()

        segmenter.freeze()
        switch training.frozenMode {
        case .eval: segmenter.eval()
        case .train: segmenter.train()
        }
        switch training.trains {
        case .segmenter:
            segmenter.train().unfreeze()
        case .segmenterFinal:
            guard let final = segmenter.children.first(where: { $0.name == "final" })?.module else {
                throw TrainError.invalidRecipe("stage '\(name)': trains: segmenter.final needs a segmenter with a "
                                               + "'final' block; \(segmenter.typeName) has none")
            }
            segmenter.unfreeze(prefix: "final.")
            final.train()
        case .head:
            break
        }
        head?.train()
        let candidates = segmenter.namedParameters(prefix: "segmenter.") + (head?.namedParameters(prefix: "head.") ?? [])
        trainable = candidates.filter(\.parameter.requiresGrad)
        guard !trainable.isEmpty else { throw TrainError.invalidRecipe("stage '\(name)' has nothing to train") }

        // One group per multiplier, in order of first appearance; the first matching prefix wins.
        var groups: [(multiplier: Float, members: [(key: String, parameter: Parameter)])] = []
        for entry in trainable {
            let multiplier = training.lrMultipliers.first { entry.key.hasPrefix($0.prefix) }?.multiplier ?? 1
            if let index = groups.firstIndex(where: { $0.multiplier == multiplier }) {
                groups[index].members.append(entry)
            } else {
                groups.append((multiplier, [entry]))
            }
        }
        optimizer = factory(groups.map { ParameterGroup($0.members, lrMultiplier: $0.multiplier) })
        baseLearningRate = factory.learningRate
    }

    /// The model state under its roots.
    func modelState(_ segmenter: any Segmenter) -> StateDict {
        StateDict.merging([("segmenter", segmenter.stateDict())] + (head.map { [("head", $0.stateDict())] } ?? []))
    }

    /// Every module whose dropout masks the trainer reseeds each step.
    func reseed(_ segmenter: any Segmenter, seed: UInt64, step: Int, positions: BatchPositions? = nil) {
        segmenter.reseedStochasticLayers(seed: seed, step: step, positions: positions)
        head?.reseedStochasticLayers(seed: seed ^ 0x4845_4144, step: step, positions: positions)
    }

    /// Clips the global gradient norm of the trainable parameters to `maximum`; returns the
    /// norm before clipping.
    func clipGradients(to maximum: Float) -> Float {
        var total: Double = 0
        for (_, parameter) in trainable {
            guard let grad = parameter.grad else { continue }
            grad.withUnsafeBufferPointer { for g in $0 { total += Double(g) * Double(g) } }
        }
        let norm = Float(total.squareRoot())
        if norm > maximum {
            let factor = maximum / (norm + 1e-6)
            for (_, parameter) in trainable { parameter.scaleGradient(by: factor) }
        }
        return norm
    }

    /// A warning when the head re-classifies decoder features through a classifier whose
    /// ``ClassifierMargin`` is not positive or small (so energy targets such as RPL's
    /// `logsumexp ≤ 0` are out of reach); nil otherwise.
    func capacityWarning(segmenter: any Segmenter) -> String? {
        guard let head, head.reclassifiesDecoderFeatures, let readout = segmenter.classifierReadout, readout.readsNonNegativeFeatures
        else { return nil }
        let margin = ClassifierMargin(readout, keyPrefix: "segmenter.")
        guard !margin.isPositive || margin.isSmall else { return nil }
        return "warning: stage '\(name)': the head re-classifies decoder features through \(margin.layer), whose margin is "
            + "\(margin.measured): \(margin.verdict); "
            + "an outlier term that asks for it stalls (docs/methods.md, 'Classifier margin')"
    }
}
