import NeuralNet
import TensorCore

/// MobileNetV2 as a dilated segmentation backbone with torchvision's keys (`features.N.…`):
/// `features.0` the stem, `features.1…17` the inverted residuals. The 1280-channel
/// `features.18` and the classifier are not part of the backbone (as in the DeepLabV3+
/// ports, which read the 320-channel map). Strides beyond the output stride become
/// dilation. Features: `"low"` = `features.3` (24 channels, stride 4), `"out"` =
/// `features.17` (320, stride 8 or 16).
/// PyTorch: `torchvision.models.mobilenet_v2(width_mult=…)` with DeepLabV3+'s dilation.
///
/// `padding: .vainf` reproduces VainF's DeepLabV3Plus-Pytorch port: its stem conv does not
/// pad (a 512-pixel side becomes 255, not 256) and each inverted residual zero-pads its input
/// before the expansion instead of padding the depthwise conv (see ``InvertedResidual``).
/// Keys are the same; the port's `low_level_features` / `high_level_features` split is a
/// renaming (`--source vainf`).
public final class MobileNetV2: Module, Backbone {
    /// Where the convolutions pad.
    public enum Padding: String, Sendable, Codable, CaseIterable {
        /// torchvision's: each conv pads its own input ("same").
        case torchvision
        /// VainF's port: an unpadded stem, block inputs padded before the expansion.
        case vainf
    }

    let features: [any UnaryLayer]
    public let featureInfo: [FeatureInfo]
    public var childrenAtSegmenterRoot: Bool { false }

    /// Creates the network; `widthMultiplier` < 1 narrows it (channels rounded to 8, as torchvision).
    public init(outputStride: OutputStride = .sixteen, widthMultiplier: Float = 1, padding: Padding = .torchvision,
                using rng: inout SeededGenerator) {
        func divisible(_ v: Float) -> Int {
            let rounded = max(8, Int(v + 4) / 8 * 8)
            return Float(rounded) < 0.9 * v ? rounded + 8 : rounded
        }
        let settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
        var input = divisible(32 * widthMultiplier)
        let vainf = padding == .vainf
        var layers: [any UnaryLayer] = [convBNReLU6(3, input, kernel: 3, stride: 2, padding: vainf ? 0 : nil, using: &rng)]
        var currentStride = 2, dilation = 1
        var lowChannels = 0
        for (t, c, n, s) in settings {
            let output = divisible(Float(c) * widthMultiplier)
            let previousDilation = dilation
            var stride = s
            if currentStride == outputStride.rawValue { stride = 1; dilation *= s } else { currentStride *= s }
            for i in 0..<n {
                layers.append(InvertedResidual(input: input, output: output, stride: i == 0 ? stride : 1,
                                               dilation: i == 0 ? previousDilation : dilation, expandRatio: t, padsInput: vainf,
                                               using: &rng))
                input = output
            }
            if c == 24 { lowChannels = output }
        }
        features = layers
        featureInfo = [FeatureInfo(name: "low", channels: lowChannels, stride: 4),
                       FeatureInfo(name: "out", channels: input, stride: outputStride.rawValue)]
    }

    public override var children: [(name: String, module: Module)] {
        features.enumerated().map { ("features.\($0.offset)", $0.element) }
    }

    public func features(_ image: Tensor) -> [String: Tensor] {
        let low = features[0..<4].reduce(image) { $1($0) }
        return ["low": low, "out": features[4...].reduce(low) { $1($0) }]
    }
}
