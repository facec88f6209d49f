import NeuralNet
import TensorCore

/// Everything one segmenter forward gives an OoD head.
public struct SegmenterOutput {
    /// Class logits upsampled to the input size, `[N, C, H, W]`.
    public var logits: Tensor
    /// The decoder input the final block classifies (`dec0`, 304 channels in DeepLabV3+).
    public var decoderFeatures: Tensor
    /// Named intermediate maps: `"backbone"` (z), `"aspp"`, `"low"` (the projected skip),
    /// and the backbone's own maps.
    public var features: [String: Tensor]
}

/// A semantic segmenter exposing what OoD heads need.
public protocol Segmenter: Module {
    /// In-distribution classes (19 for Cityscapes).
    var numClasses: Int { get }
    /// One forward: logits and intermediate features.
    func callAsFunction(_ image: Tensor) -> SegmenterOutput
    /// The final block alone, so a head can re-classify modified decoder features (RPL's
    /// `final(dec0 + residual)`), upsampled to `outputSize`.
    func classify(_ decoderFeatures: Tensor, outputSize: (height: Int, width: Int)) -> Tensor
}
