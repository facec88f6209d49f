/// One training stage: what trains (the segmenter, or a head on the frozen segmenter),
/// with which losses, optimizer and schedule, for how long.
public struct StageConfig: RecipeConfig {
    /// Which part trains.
    public enum Trains: String, Sendable, Decodable, CaseIterable, RecipeChoice {
        /// The whole segmenter (segmenter training, Meta-OoD).
        case segmenter
        /// The segmenter's final block only (PEBAL).
        case segmenterFinal = "segmenter.final"
        /// The head, the segmenter frozen with BN in eval mode (RPL).
        case head
        /// A fitted head's statistics, in one pass over `data.train` under the frozen
        /// segmenter (SML, Mahalanobis): no losses, optimizer or iterations.
        case fit
    }

    /// The mode of the layers a stage does not train.
    public enum FrozenMode: String, Sendable, Decodable, CaseIterable, RecipeChoice {
        /// Evaluation mode: BN normalises with its running statistics, which stay as loaded.
        case eval
        /// Training mode, as PEBAL's code runs (`model.train()` over a frozen backbone): BN
        /// normalises with batch statistics and its running statistics drift.
        case train
    }

    /// The stage's name (logs, checkpoint folder).
    public var name: String
    /// What trains; `head` when the stage has a head, else `segmenter`.
    public var trains: Trains
    /// The head to attach (a head node), if any.
    public var head: RecipeNode?
    /// The loss terms, each a loss node with an optional `weight`.
    public var losses: [RecipeNode]
    /// The optimizer (an optimizer node).
    public var optimizer: RecipeNode?
    /// The schedule (a schedule node; default poly 0.9).
    public var schedule: RecipeNode?
    /// Optimizer steps (or give `epochs`).
    public var iterations: Int?
    /// Passes over the training set (`iterations` = epochs × full batches per epoch).
    public var epochs: Int?
    /// Learning-rate multipliers by parameter-key prefix (`{prefix: head., multiplier: 10}`).
    public var lrMultipliers: [LRMultiplier]
    /// Clip the global gradient norm to this value (none by default).
    public var clipGradNorm: Float?
    /// Write a checkpoint every this many steps (0: only at the end).
    public var checkpointEvery: Int
    /// `trains: fit` only: fit on the first this many training images (default: all).
    public var fitImages: Int?
    /// The mode of the frozen layers (`eval` by default).
    public var frozenMode: FrozenMode

    enum CodingKeys: String, CodingKey {
        case name, trains, head, losses, optimizer, schedule, iterations, epochs, lrMultipliers = "lr_multipliers"
        case clipGradNorm = "clip_grad_norm", checkpointEvery = "checkpoint_every", fitImages = "fit_images"
        case frozenMode = "frozen_mode"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        head = try c.decodeIfPresent(RecipeNode.self, forKey: .head)
        trains = try c.value(.trains, default: head == nil ? .segmenter : .head)
        losses = try c.value(.losses, default: [])
        optimizer = try c.decodeIfPresent(RecipeNode.self, forKey: .optimizer)
        schedule = try c.decodeIfPresent(RecipeNode.self, forKey: .schedule)
        iterations = try c.decodeIfPresent(Int.self, forKey: .iterations)
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs)
        lrMultipliers = try c.value(.lrMultipliers, default: [])
        clipGradNorm = try c.decodeIfPresent(Float.self, forKey: .clipGradNorm)
        checkpointEvery = try c.value(.checkpointEvery, default: 0)
        fitImages = try c.decodeIfPresent(Int.self, forKey: .fitImages)
        frozenMode = try c.value(.frozenMode, default: .eval)
    }

    public func validate() throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ConfigError(key: "name", "must be letters, digits, '-', '_' or '.', got '\(name)'")
        }
        if trains == .fit { return try validateFit() }
        guard fitImages == nil else { throw ConfigError(key: "fit_images", "applies to 'trains: fit' stages only") }
        guard frozenMode == .eval || trains != .segmenter else {
            throw ConfigError(key: "frozen_mode", "does not apply to 'trains: segmenter' (nothing is frozen)")
        }
        switch (iterations, epochs) {
        case (nil, nil): throw ConfigError(key: nil, "missing key 'iterations' (or 'epochs')")
        case (.some, .some): throw ConfigError(key: "epochs", "give iterations or epochs, not both")
        case (let n?, nil):
            guard (1...100_000_000).contains(n) else { throw ConfigError(key: "iterations", "must be 1 to 10^8, got \(n)") }
        case (nil, let e?):
            guard (1...100_000).contains(e) else { throw ConfigError(key: "epochs", "must be 1 to 10^5, got \(e)") }
        }
        guard trains != .head || head != nil else { throw ConfigError(key: "trains", "is 'head' but the stage has no head") }
        guard !losses.isEmpty else { throw ConfigError(key: "losses", "a stage needs at least one loss term") }
        guard optimizer != nil else { throw ConfigError(key: nil, "missing key 'optimizer'") }
        if let clipGradNorm, !(clipGradNorm > 0) { throw ConfigError(key: "clip_grad_norm", "must be positive") }
        guard checkpointEvery >= 0 else { throw ConfigError(key: "checkpoint_every", "must be at least 0") }
        for m in lrMultipliers where !(m.multiplier > 0) || m.multiplier > 1000 {
            throw ConfigError(key: "lr_multipliers", "multiplier for '\(m.prefix)' must be in (0, 1000]")
        }
    }
}

extension StageConfig {
    /// A fit stage has a head and nothing of gradient training.
    private func validateFit() throws {
        guard head != nil else { throw ConfigError(key: "trains", "is 'fit' but the stage has no head to fit") }
        for (key, present) in [("losses", !losses.isEmpty), ("optimizer", optimizer != nil), ("schedule", schedule != nil),
                               ("iterations", iterations != nil), ("epochs", epochs != nil), ("lr_multipliers", !lrMultipliers.isEmpty),
                               ("clip_grad_norm", clipGradNorm != nil), ("checkpoint_every", checkpointEvery != 0),
                               ("frozen_mode", frozenMode != .eval)] where present {
            throw ConfigError(key: key, "does not apply to a 'trains: fit' stage (one pass over data.train, no gradient)")
        }
        if let fitImages, fitImages < 1 { throw ConfigError(key: "fit_images", "must be at least 1, got \(fitImages)") }
    }

    /// The stage's optimizer steps with `batchesPerEpoch` full batches per epoch.
    public func steps(batchesPerEpoch: Int) -> Int { iterations ?? (epochs ?? 1) * batchesPerEpoch }
}

/// `{prefix: head., multiplier: 10}`: parameters whose key starts with `prefix` train at
/// `multiplier` times the base rate (the first matching prefix wins).
public struct LRMultiplier: RecipeConfig {
    /// A parameter-key prefix (`head.aspp.`).
    public var prefix: String
    /// The factor.
    public var multiplier: Float

    enum CodingKeys: String, CodingKey { case prefix, multiplier }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        prefix = try c.decode(String.self, forKey: .prefix)
        multiplier = try c.decode(Float.self, forKey: .multiplier)
    }
}
