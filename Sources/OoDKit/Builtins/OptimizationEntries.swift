import NeuralNet

/// Builds an optimizer over parameter groups the trainer assembles (the base learning rate
/// and per-group multipliers come from the recipe).
public struct OptimizerFactory: Sendable {
    /// The recipe's base learning rate.
    public let learningRate: Float
    private let make: @Sendable ([ParameterGroup]) -> any Optimizer

    /// A factory.
    public init(learningRate: Float, make: @escaping @Sendable ([ParameterGroup]) -> any Optimizer) {
        (self.learningRate, self.make) = (learningRate, make)
    }

    /// The optimizer over `groups`.
    public func callAsFunction(_ groups: [ParameterGroup]) -> any Optimizer { make(groups) }
}

/// A learning-rate schedule: the factor applied to the base rate at an iteration.
public protocol LearningRateSchedule: Sendable {
    /// The factor at `iteration` (0-based) of `total`.
    func factor(iteration: Int, total: Int) -> Float
}

/// `(1 − iteration/total)^power` (DeepLab, RPL: power 0.9). Registered as `poly`.
public struct PolySchedule: LearningRateSchedule, RecipeConfig {
    /// The exponent.
    public var power: Float

    enum CodingKeys: String, CodingKey { case power }
    /// A schedule.
    public init(power: Float = 0.9) { self.power = power }
    public init(from decoder: any Decoder) throws {
        power = try decoder.container(keyedBy: CodingKeys.self).value(.power, default: 0.9)
    }
    public func validate() throws { guard power >= 0 else { throw ConfigError(key: "power", "must be at least 0, got \(power)") } }

    public func factor(iteration: Int, total: Int) -> Float {
        PolyLR(baseLearningRate: 1, maxIterations: max(1, total), power: power).learningRate(at: iteration)
    }
}

/// A constant rate. Registered as `constant`.
public struct ConstantSchedule: LearningRateSchedule {
    public func factor(iteration: Int, total: Int) -> Float { 1 }
}

/// `{lr, momentum, nesterov, weight_decay, betas, eps}`: an optimizer's config; each
/// optimizer takes its own keys (SGD: momentum, nesterov; Adam/AdamW: betas, eps).
public struct OptimizerConfig: RecipeConfig {
    /// The base learning rate.
    public var lr: Float
    /// L2 (SGD, Adam) or decoupled (AdamW) weight decay.
    public var weightDecay: Float
    /// SGD's momentum.
    public var momentum: Float = 0
    /// SGD's Nesterov flag.
    public var nesterov = false
    /// Adam's (β₁, β₂).
    public var betas: [Float] = [0.9, 0.999]
    /// Adam's ε.
    public var eps: Float = 1e-8

    enum CodingKeys: String, CodingKey { case lr, weightDecay = "weight_decay", momentum, nesterov, betas, eps }

    static func decoder(sgd: Bool, defaultDecay: Float) -> @Sendable (any Decoder) throws -> OptimizerConfig {
        { decoder in
            let c = try decoder.container(keyedBy: CodingKeys.self)
            var config = OptimizerConfig(lr: try c.decode(Float.self, forKey: .lr),
                                         weightDecay: try c.value(.weightDecay, default: defaultDecay))
            if sgd {
                config.momentum = try c.value(.momentum, default: 0.9)
                config.nesterov = try c.value(.nesterov, default: false)
            } else {
                config.betas = try c.value(.betas, default: [0.9, 0.999])
                config.eps = try c.value(.eps, default: 1e-8)
            }
            return config
        }
    }

    init(lr: Float, weightDecay: Float) { (self.lr, self.weightDecay) = (lr, weightDecay) }
    public init(from decoder: any Decoder) throws { self = try Self.decoder(sgd: true, defaultDecay: 0)(decoder) }

    public func validate() throws {
        guard lr > 0, lr < 10 else { throw ConfigError(key: "lr", "must be in (0, 10), got \(lr)") }
        guard weightDecay >= 0 else { throw ConfigError(key: "weight_decay", "must be at least 0, got \(weightDecay)") }
        guard (0...1).contains(momentum) else { throw ConfigError(key: "momentum", "must be in [0, 1], got \(momentum)") }
        guard !nesterov || momentum > 0 else { throw ConfigError(key: "nesterov", "needs momentum > 0") }
        guard betas.count == 2, betas.allSatisfy({ (0..<1).contains($0) }) else {
            throw ConfigError(key: "betas", "must be two numbers in [0, 1), got \(betas)")
        }
        guard eps > 0 else { throw ConfigError(key: "eps", "must be positive, got \(eps)") }
    }
}

struct SGDConfig: RecipeConfig {
    var base: OptimizerConfig
    init(from decoder: any Decoder) throws { base = try OptimizerConfig.decoder(sgd: true, defaultDecay: 0)(decoder) }
    func validate() throws { try base.validate() }
}

struct AdamConfig: RecipeConfig {
    var base: OptimizerConfig
    init(from decoder: any Decoder) throws { base = try OptimizerConfig.decoder(sgd: false, defaultDecay: 0)(decoder) }
    func validate() throws { try base.validate() }
}

struct AdamWConfig: RecipeConfig {
    var base: OptimizerConfig
    init(from decoder: any Decoder) throws { base = try OptimizerConfig.decoder(sgd: false, defaultDecay: 1e-2)(decoder) }
    func validate() throws { try base.validate() }
}

extension CorePlugin {
    static func registerOptimization(into registry: inout Registry) throws {
        try registry.optimizers.register("sgd", summary: "SGD with momentum (default 0.9), optional Nesterov, L2 weight decay",
                                         config: SGDConfig.self) { c, _ in
            let o = c.base
            return OptimizerFactory(learningRate: o.lr) {
                SGD($0, learningRate: o.lr, momentum: o.momentum, nesterov: o.nesterov, weightDecay: o.weightDecay)
            }
        }
        try registry.optimizers.register("adam", summary: "Adam with L2 weight decay (RPL: lr 7.5e-5, weight_decay 1e-4)",
                                         config: AdamConfig.self) { c, _ in
            let o = c.base
            return OptimizerFactory(learningRate: o.lr) {
                Adam($0, learningRate: o.lr, betas: (o.betas[0], o.betas[1]), eps: o.eps, weightDecay: o.weightDecay)
            }
        }
        try registry.optimizers.register("adamw", summary: "AdamW, decoupled weight decay (default 1e-2)",
                                         config: AdamWConfig.self) { c, _ in
            let o = c.base
            return OptimizerFactory(learningRate: o.lr) {
                Adam.adamW($0, learningRate: o.lr, betas: (o.betas[0], o.betas[1]), eps: o.eps, weightDecay: o.weightDecay)
            }
        }
        try registry.schedules.register("poly", summary: "polynomial decay (1 - t/T)^power, power 0.9",
                                        config: PolySchedule.self) { c, _ in c }
        try registry.schedules.register("constant", summary: "a constant learning rate",
                                        config: EmptyConfig.self) { _, _ in ConstantSchedule() }
    }
}
