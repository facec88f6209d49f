/// A stage trained by gradient: what trains, with which losses, optimizer and schedule, for
/// how long. Decoded as part of a ``StageConfig``; every value is checked as it is read.
public struct GradientTraining: Sendable {
    /// Which part trains.
    public enum Trained: Sendable {
        /// The whole segmenter (segmenter training, Meta-OoD).
        case segmenter
        /// The segmenter's final block only (PEBAL).
        case segmenterFinal
        /// The head, the segmenter frozen (RPL).
        case head
    }

    /// The mode of the layers a stage does not train.
    public enum FrozenMode: String, Sendable, Decodable, CaseIterable, RecipeChoice {
        /// Evaluation mode: BN normalises with its running statistics, which stay as loaded.
        case eval
        /// Training mode, as PEBAL's code runs (`model.train()` over a frozen backbone): BN
        /// normalises with batch statistics and its running statistics drift.
        case train
    }

    /// Where batch norm in training mode takes its statistics when the stage trains on
    /// several ranks (`pixelood-mpi train`); one process always uses its whole batch.
    public enum BatchNormStatistics: String, Sendable, Decodable, CaseIterable, RecipeChoice {
        /// Over the whole global batch, summed across the ranks (PyTorch's `SyncBatchNorm`):
        /// the step equals one process's on the whole batch.
        case synchronised
        /// Over each rank's share alone (PyTorch's DDP with plain `BatchNorm2d`): cheaper, and
        /// not the step one process takes.
        case perRank = "per_rank"
    }

    /// How long a stage trains.
    public enum Length: Sendable, Equatable {
        /// Optimizer steps.
        case iterations(Int)
        /// Passes over the training set (full batches per epoch × epochs steps).
        case epochs(Int)
    }

    /// What trains.
    public var trains: Trained
    /// The head to attach (a head node), if any; always one when ``trains`` is `.head`.
    public var head: RecipeNode?
    /// The loss terms, each a loss node with an optional `weight`; at least one.
    public var losses: [RecipeNode]
    /// The optimizer (an optimizer node).
    public var optimizer: RecipeNode
    /// The schedule (a schedule node; nil: poly 0.9).
    public var schedule: RecipeNode?
    /// How long.
    public var length: Length
    /// Learning-rate multipliers by parameter-key prefix (`{prefix: head., multiplier: 10}`).
    public var lrMultipliers: [LRMultiplier]
    /// Clip the global gradient norm to this value (none by default).
    public var clipGradNorm: Float?
    /// Write a checkpoint every this many steps (0: only at the end).
    public var checkpointEvery: Int
    /// The mode of the frozen layers (`eval` by default).
    public var frozenMode: FrozenMode
    /// Batch-norm statistics across ranks (`synchronised` by default).
    public var batchNorm: BatchNormStatistics

    typealias Keys = StageConfig.CodingKeys

    /// Reads the gradient keys of a stage that trains `trains`.
    /// - Throws: ``ConfigError`` naming the key; decoding errors.
    init(_ c: KeyedDecodingContainer<Keys>, trains: Trained, head: RecipeNode?) throws {
        (self.trains, self.head) = (trains, head)
        guard !c.contains(.fitImages) else { throw ConfigError(key: "fit_images", "applies to 'trains: fit' stages only") }
        frozenMode = try c.value(.frozenMode, default: .eval)
        batchNorm = try c.value(.batchNorm, default: .synchronised)
        guard frozenMode == .eval || trains != .segmenter else {
            throw ConfigError(key: "frozen_mode", "does not apply to 'trains: segmenter' (nothing is frozen)")
        }
        switch (try c.decodeIfPresent(Int.self, forKey: .iterations), try c.decodeIfPresent(Int.self, forKey: .epochs)) {
        case (nil, nil): throw ConfigError(key: nil, "missing key 'iterations' (or 'epochs')")
        case (.some, .some): throw ConfigError(key: "epochs", "give iterations or epochs, not both")
        case (let n?, nil):
            guard (1...100_000_000).contains(n) else { throw ConfigError(key: "iterations", "must be 1 to 10^8, got \(n)") }
            length = .iterations(n)
        case (nil, let e?):
            guard (1...100_000).contains(e) else { throw ConfigError(key: "epochs", "must be 1 to 10^5, got \(e)") }
            length = .epochs(e)
        }
        losses = try c.value(.losses, default: [])
        guard !losses.isEmpty else { throw ConfigError(key: "losses", "a stage needs at least one loss term") }
        guard let optimizer = try c.decodeIfPresent(RecipeNode.self, forKey: .optimizer) else {
            throw ConfigError(key: nil, "missing key 'optimizer'")
        }
        self.optimizer = optimizer
        schedule = try c.decodeIfPresent(RecipeNode.self, forKey: .schedule)
        clipGradNorm = try c.decodeIfPresent(Float.self, forKey: .clipGradNorm)
        if let clipGradNorm, !(clipGradNorm > 0) { throw ConfigError(key: "clip_grad_norm", "must be positive") }
        checkpointEvery = try c.value(.checkpointEvery, default: 0)
        guard checkpointEvery >= 0 else { throw ConfigError(key: "checkpoint_every", "must be at least 0") }
        lrMultipliers = try c.value(.lrMultipliers, default: [])
        for m in lrMultipliers where !(m.multiplier > 0) || m.multiplier > 1000 {
            throw ConfigError(key: "lr_multipliers", "multiplier for '\(m.prefix)' must be in (0, 1000]")
        }
    }

    /// The stage's optimizer steps with `batchesPerEpoch` full batches per epoch.
    public func steps(batchesPerEpoch: Int) -> Int {
        switch length {
        case .iterations(let n): return n
        case .epochs(let e): return e * batchesPerEpoch
        }
    }
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
