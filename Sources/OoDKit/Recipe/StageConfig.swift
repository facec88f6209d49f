/// One training stage: its name and what it does, either gradient training (the segmenter,
/// its final block, or a head on the frozen segmenter, with losses, an optimizer and a
/// length) or fitting a head's statistics in one pass (`trains: fit`). A stage decodes only
/// as one of the two, so every key the other kind has is an error located at that key.
public struct StageConfig: RecipeConfig {
    /// The `trains:` values as a recipe spells them.
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

    /// What a stage does.
    public enum Kind: Sendable {
        /// Optimizer steps on loss terms.
        case gradient(GradientTraining)
        /// One pass that fixes a fitted head's statistics.
        case fit(HeadFit)
    }

    /// The stage's name (logs, checkpoint folder).
    public var name: String
    /// What the stage does.
    public var kind: Kind

    /// The head the stage attaches (a fit stage always has one).
    public var head: RecipeNode? {
        switch kind {
        case .gradient(let training): return training.head
        case .fit(let fit): return fit.head
        }
    }

    /// The stage's gradient training; nil for a fit stage.
    public var gradient: GradientTraining? {
        if case .gradient(let training) = kind { return training }
        return nil
    }

    /// Whether the stage fits a head instead of taking gradient steps.
    public var isFit: Bool { gradient == nil }

    enum CodingKeys: String, CodingKey {
        case name, trains, head, losses, optimizer, schedule, iterations, epochs, lrMultipliers = "lr_multipliers"
        case clipGradNorm = "clip_grad_norm", checkpointEvery = "checkpoint_every", fitImages = "fit_images"
        case frozenMode = "frozen_mode", batchNorm = "batch_norm"
    }

    /// The keys of gradient training, which a fit stage must not have.
    static let gradientKeys: [CodingKeys] = [.losses, .optimizer, .schedule, .iterations, .epochs, .lrMultipliers,
                                             .clipGradNorm, .checkpointEvery, .frozenMode, .batchNorm]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw ConfigError(key: "name", "must be letters, digits, '-', '_' or '.', got '\(name)'")
        }
        let head = try c.decodeIfPresent(RecipeNode.self, forKey: .head)
        switch try c.value(.trains, default: head == nil ? Trains.segmenter : .head) {
        case .fit:
            for key in Self.gradientKeys where c.contains(key) {
                throw ConfigError(key: key.stringValue, "does not apply to a 'trains: fit' stage (one pass over data.train, no gradient)")
            }
            guard let head else { throw ConfigError(key: "trains", "is 'fit' but the stage has no head to fit") }
            let images = try c.decodeIfPresent(Int.self, forKey: .fitImages)
            if let images, images < 1 { throw ConfigError(key: "fit_images", "must be at least 1, got \(images)") }
            kind = .fit(HeadFit(head: head, images: images))
        case .segmenter:
            kind = .gradient(try GradientTraining(c, trains: .segmenter, head: head))
        case .segmenterFinal:
            kind = .gradient(try GradientTraining(c, trains: .segmenterFinal, head: head))
        case .head:
            guard head != nil else { throw ConfigError(key: "trains", "is 'head' but the stage has no head") }
            kind = .gradient(try GradientTraining(c, trains: .head, head: head))
        }
    }
}

/// A `trains: fit` stage: the head whose statistics one pass over `data.train` fixes.
public struct HeadFit: Sendable {
    /// The head (a ``FittedHead``).
    public var head: RecipeNode
    /// Fit on the first this many training images (nil: all).
    public var images: Int?
}
