import ModelZoo
import TensorCore

/// What a catalog's factory may use while building an entry: the registry (to build nested
/// entries, such as a head's score), the recipe's seeded generator (for initial weights),
/// and the segmenter a head or loss attaches to.
public final class BuildContext {
    /// The registry, for nested builds.
    public let registry: Registry
    /// The generator every initial weight is drawn from, derived from the recipe's seed.
    public var rng: SeededGenerator
    /// The segmenter heads and losses attach to, once built.
    public var attachedSegmenter: (any Segmenter)?

    /// A context drawing from `rng`, with no segmenter yet.
    public init(registry: Registry, rng: SeededGenerator, segmenter: (any Segmenter)? = nil) {
        (self.registry, self.rng, self.attachedSegmenter) = (registry, rng, segmenter)
    }

    /// The attached segmenter, after checking that it provides `features`.
    /// - Throws: ``BuildError/noSegmenter(consumer:)`` when none is attached;
    ///   ``SegmenterError/missingFeatures(consumer:missing:available:)`` naming absent maps.
    public func segmenter(for consumer: String, features: [String] = []) throws -> any Segmenter {
        guard let segmenter = attachedSegmenter else { throw BuildError.noSegmenter(consumer: consumer) }
        try segmenter.requireFeatures(features, for: consumer)
        return segmenter
    }
}

/// An entry that cannot be built in its context.
public enum BuildError: Error, CustomStringConvertible, Equatable {
    /// A head or loss was built before any segmenter.
    case noSegmenter(consumer: String)

    public var description: String {
        switch self {
        case .noSegmenter(let consumer): return "\(consumer) attaches to a segmenter, and the recipe builds none before it"
        }
    }
}
