import NeuralNet
import TensorCore

/// A feature extractor for a segmenter: the low-level map the decoder refines with and the
/// high-level map (`z` in the RPL paper) the context module and OoD heads read.
public protocol Backbone: Module {
    /// The maps ``features(_:)`` returns, shallow to deep: at least `"low"` and `"out"`.
    var featureInfo: [FeatureInfo] { get }
    /// Whether this backbone's children sit at the segmenter's root in checkpoints
    /// (`mod1.…` in the official WiderResNet38 DeepLabV3+) instead of under `backbone.`.
    var childrenAtSegmenterRoot: Bool { get }
    /// Runs the backbone. Shape: `[N, 3, H, W]` → one map per ``featureInfo`` entry.
    func features(_ image: Tensor) -> [String: Tensor]
}

extension Backbone {
    /// The info of the map called `name`.
    /// - Throws: ``SegmenterError/missingFeatures(consumer:missing:available:)`` when the
    ///   backbone has no such map.
    public func info(_ name: String, for consumer: String) throws -> FeatureInfo {
        try featureInfo.info(name, for: consumer)
    }
}

extension Array where Element == FeatureInfo {
    /// The entry called `name`.
    /// - Throws: ``SegmenterError/missingFeatures(consumer:missing:available:)`` naming it.
    public func info(_ name: String, for consumer: String) throws -> FeatureInfo {
        guard let found = first(where: { $0.name == name }) else {
            throw SegmenterError.missingFeatures(consumer: consumer, missing: [name], available: map(\.name))
        }
        return found
    }
}

/// Output strides a dilated backbone supports.
public enum OutputStride: Int, Sendable, Codable, CaseIterable {
    /// Last two stages dilated (RPL's setting).
    case eight = 8
    /// Last stage dilated.
    case sixteen = 16
}
