import NeuralNet
import TensorCore

/// The recipe description of a segmenter: `{backbone: resnet50, output_stride: 8,
/// num_classes: 19}`. The backbone names are the registry's.
public struct SegmenterConfig: Codable, Sendable, Equatable {
    /// `mobilenet_v2`, `resnet50`, `resnet101`, `wide_resnet38` (DeepLabV3+) or `ldn121`
    /// (its own ladder head).
    public var backbone: String
    /// 8 or 16 (LDN-121 is fixed at 32 with its ladder decoder; the value is ignored).
    public var outputStride: OutputStride
    /// Classes of the segmentation head.
    public var numClasses: Int
    /// Narrows every layer by this factor (1 = the published widths; larger for tests).
    public var widthDivisor: Int

    /// The backbone names ``build(using:)`` accepts, sorted.
    public static let backbones = ["ldn121", "mobilenet_v2", "resnet101", "resnet50", "wide_resnet38"]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case backbone, outputStride = "output_stride", numClasses = "num_classes", widthDivisor = "width_divisor"
    }

    /// A configuration; defaults are RPL's (WiderResNet38, output stride 8, 19 classes).
    public init(backbone: String = "wide_resnet38", outputStride: OutputStride = .eight, numClasses: Int = 19,
                widthDivisor: Int = 1) {
        (self.backbone, self.outputStride, self.numClasses, self.widthDivisor) = (backbone, outputStride, numClasses, widthDivisor)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(backbone: try c.decodeIfPresent(String.self, forKey: .backbone) ?? "wide_resnet38",
                  outputStride: try c.decodeIfPresent(OutputStride.self, forKey: .outputStride) ?? .eight,
                  numClasses: try c.decodeIfPresent(Int.self, forKey: .numClasses) ?? 19,
                  widthDivisor: try c.decodeIfPresent(Int.self, forKey: .widthDivisor) ?? 1)
        try validate()
    }

    /// Checks the values: a known backbone, positive class count and divisor.
    public func validate() throws {
        guard Self.backbones.contains(backbone) else {
            throw ModelConfigError.unknownBackbone(backbone, known: Self.backbones)
        }
        guard numClasses > 0 else { throw ModelConfigError.invalid("num_classes must be positive, got \(numClasses)") }
        guard widthDivisor > 0 else { throw ModelConfigError.invalid("width_divisor must be positive, got \(widthDivisor)") }
    }

    /// Builds the segmenter with weights drawn from `rng` (load a checkpoint afterwards).
    public func build(using rng: inout SeededGenerator) throws -> any Segmenter {
        try validate()
        let divisor = widthDivisor
        let narrow = { (c: Int) in max(1, c / divisor) }
        let backboneModule: any Backbone
        switch backbone {
        case "ldn121": return LadderDenseNet(numClasses: numClasses, widthDivisor: divisor, using: &rng)
        case "mobilenet_v2":
            backboneModule = MobileNetV2(outputStride: outputStride, widthMultiplier: 1 / Float(divisor), using: &rng)
        case "resnet50": backboneModule = ResNet(depth: .resnet50, outputStride: outputStride, widthDivisor: divisor, using: &rng)
        case "resnet101": backboneModule = ResNet(depth: .resnet101, outputStride: outputStride, widthDivisor: divisor, using: &rng)
        default: backboneModule = WiderResNet38(outputStride: outputStride, widthDivisor: divisor, using: &rng)
        }
        return DeepLabV3Plus(backbone: backboneModule, numClasses: numClasses, asppChannels: narrow(256),
                             lowLevelChannels: narrow(48), using: &rng)
    }
}

/// A segmenter configuration that cannot be built.
public enum ModelConfigError: Error, CustomStringConvertible, Equatable {
    /// The backbone name is not registered.
    case unknownBackbone(String, known: [String])
    /// A value out of range.
    case invalid(String)

    public var description: String {
        switch self {
        case .unknownBackbone(let name, let known):
            let suggestion = known.min { editDistance($0, name) < editDistance($1, name) }.map { "; did you mean '\($0)'?" } ?? ""
            return "unknown backbone '\(name)' (known: \(known.joined(separator: ", "))\(suggestion))"
        case .invalid(let why): return why
        }
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var row = Array(0...b.count)
    for i in 0..<a.count {
        var diagonal = row[0]
        row[0] = i + 1
        for j in 0..<b.count {
            let above = row[j + 1]
            row[j + 1] = min(above + 1, row[j] + 1, diagonal + (a[i] == b[j] ? 0 : 1))
            diagonal = above
        }
    }
    return row[b.count]
}
