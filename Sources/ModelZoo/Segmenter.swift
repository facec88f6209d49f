import NeuralNet
import TensorCore

/// Everything one segmenter forward gives an OoD head.
public struct SegmenterOutput {
    /// Class logits upsampled to the input size, `[N, C, H, W]`.
    public var logits: Tensor
    /// The decoder input the final block classifies (`dec0`, 304 channels in DeepLabV3+);
    /// ``Segmenter/featureInfo`` describes it as `"decoder"`.
    public var decoderFeatures: Tensor
    /// Named intermediate maps, each described by ``Segmenter/featureInfo``: the backbone's
    /// own (`"low"`, `"out"` = z, …), `"context"` (the ASPP or SPP output) and
    /// model-specific ones (`"low_projected"` in DeepLabV3+).
    public var features: [String: Tensor]
    /// The abstention logit of a segmenter with one (PEBAL's extra output, kept out of
    /// ``logits`` so every score and the closed-set prediction see the classes only),
    /// upsampled like the logits, `[N, 1, H, W]`; nil for the others.
    public var abstentionLogits: Tensor?

    /// Bundles a forward's results.
    public init(logits: Tensor, decoderFeatures: Tensor, features: [String: Tensor], abstentionLogits: Tensor? = nil) {
        (self.logits, self.decoderFeatures, self.features) = (logits, decoderFeatures, features)
        self.abstentionLogits = abstentionLogits
    }

    /// The map a ``Segmenter/featureInfo`` name stands for: ``decoderFeatures`` for
    /// `"decoder"`, else the entry of ``features``; nil when absent.
    public func map(named name: String) -> Tensor? { name == "decoder" ? decoderFeatures : features[name] }

    /// The map `name`, for `consumer` (a head's score) that cannot do without it.
    /// - Throws: ``SegmenterError/missingFeatures(consumer:missing:available:)``.
    public func map(named name: String, for consumer: String) throws -> Tensor {
        guard let map = map(named: name) else {
            throw SegmenterError.missingFeatures(consumer: consumer, missing: [name], available: (["decoder"] + features.keys).sorted())
        }
        return map
    }
}

/// A semantic segmenter exposing what OoD heads need.
///
/// The forward is split so a cached backbone pass can re-enter: ``encode(_:)`` runs the
/// backbone (what the feature store caches), ``decode(_:outputSize:)`` everything after it.
public protocol Segmenter: Module {
    /// In-distribution classes (19 for Cityscapes).
    var numClasses: Int { get }
    /// Every key of ``SegmenterOutput/features``, plus `"decoder"` (the decoder input), with
    /// channels and stride. One naming scheme for every segmenter: the backbone's maps under
    /// their backbone names (`"low"`, `"out"`, …), `"context"`, then model-specific maps.
    var featureInfo: [FeatureInfo] { get }
    /// The maps ``encode(_:)`` returns (the backbone's), a subset of ``featureInfo``.
    var encodedFeatureNames: [String] { get }
    /// The backbone pass. Shape: `[N, 3, H, W]` → the maps named by ``encodedFeatureNames``.
    func encode(_ image: Tensor) -> [String: Tensor]
    /// Everything after the backbone, from maps ``encode(_:)`` returned (or a store cached),
    /// with logits upsampled to `outputSize`.
    /// - Throws: ``SegmenterError/missingFeatures(consumer:missing:available:)`` when a map
    ///   is absent.
    func decode(_ encoded: [String: Tensor], outputSize: (height: Int, width: Int)) throws -> SegmenterOutput
    /// The final block alone, so a head can re-classify modified decoder features (RPL's
    /// `final(dec0 + residual)`), upsampled to `outputSize`.
    func classify(_ decoderFeatures: Tensor, outputSize: (height: Int, width: Int)) -> Tensor
    /// The classifier's last layer (its class rows), for capacity checks of heads that
    /// re-classify decoder features; nil where the model does not describe it.
    var classifierReadout: ClassifierReadout? { get }
}

extension Segmenter {
    /// No description of the classifier's last layer.
    public var classifierReadout: ClassifierReadout? { nil }

    /// One forward: `decode(encode(image))` at the image's size.
    public func callAsFunction(_ image: Tensor) -> SegmenterOutput {
        do {
            return try decode(encode(image), outputSize: (image.shape[2], image.shape[3]))
        } catch {
            // encode() returned fewer maps than encodedFeatureNames promises: a bug in the model.
            contractViolation("\(typeName): \(error)")
        }
    }

    /// Checks that every map in `names` exists (``featureInfo``), for a head at build time.
    /// - Throws: ``SegmenterError/missingFeatures(consumer:missing:available:)`` naming the
    ///   absent maps and those the model has.
    public func requireFeatures(_ names: [String], for consumer: String) throws {
        let available = featureInfo.map(\.name)
        let missing = names.filter { !available.contains($0) }
        guard missing.isEmpty else {
            throw SegmenterError.missingFeatures(consumer: consumer, missing: missing, available: available)
        }
    }
}

extension Dictionary where Key == String, Value == Tensor {
    /// The maps called `names`, in order.
    /// - Throws: ``SegmenterError/missingFeatures(consumer:missing:available:)`` naming the absent ones.
    func required(_ names: [String], by consumer: String) throws -> [Tensor] {
        let missing = names.filter { self[$0] == nil }
        guard missing.isEmpty else {
            throw SegmenterError.missingFeatures(consumer: consumer, missing: missing, available: keys.sorted())
        }
        return names.compactMap { self[$0] }
    }
}
