import ModelZoo

/// `{output_stride: 8, width_divisor: 1}`: a dilated backbone's configuration.
public struct BackboneConfig: RecipeConfig, Equatable {
    /// 8 (RPL's setting) or 16.
    public var outputStride: OutputStride
    /// Narrows every layer by this factor (1 = published widths; larger in tests).
    public var widthDivisor: Int

    enum CodingKeys: String, CodingKey { case outputStride = "output_stride", widthDivisor = "width_divisor" }

    /// A configuration.
    public init(outputStride: OutputStride = .eight, widthDivisor: Int = 1) {
        (self.outputStride, self.widthDivisor) = (outputStride, widthDivisor)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(outputStride: try c.value(.outputStride, default: .eight), widthDivisor: try c.value(.widthDivisor, default: 1))
    }

    public func validate() throws {
        guard (1...64).contains(widthDivisor) else { throw ConfigError(key: "width_divisor", "must be 1 to 64, got \(widthDivisor)") }
    }
}

extension OutputStride: RecipeChoice {}

/// `{output_stride: 16, width_divisor: 1, padding: torchvision}`: MobileNetV2's options;
/// `padding: vainf` reproduces VainF's port (an unpadded stem, block inputs padded).
public struct MobileNetV2Config: RecipeConfig, Equatable {
    /// The shared backbone options.
    public var common: BackboneConfig
    /// Where the convolutions pad.
    public var padding: MobileNetV2.Padding

    enum CodingKeys: String, CodingKey { case padding }

    public init(from decoder: any Decoder) throws {
        common = try BackboneConfig(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        padding = try c.value(.padding, default: .torchvision)
    }

    public func validate() throws { try common.validate() }
}

extension MobileNetV2.Padding: RecipeChoice {}

extension CorePlugin {
    static func registerBackbones(into registry: inout Registry) throws {
        try registry.backbones.register("resnet50", summary: "ResNet-50 (torchvision keys), dilated to output stride 8/16",
                                        config: BackboneConfig.self) { c, context in
            ResNet(depth: .resnet50, outputStride: c.outputStride, widthDivisor: c.widthDivisor, using: &context.rng)
        }
        try registry.backbones.register("resnet101", summary: "ResNet-101 (torchvision keys), dilated to output stride 8/16",
                                        config: BackboneConfig.self) { c, context in
            ResNet(depth: .resnet101, outputStride: c.outputStride, widthDivisor: c.widthDivisor, using: &context.rng)
        }
        try registry.backbones.register("mobilenet_v2", summary: "MobileNetV2 (torchvision keys), dilated to output stride 8/16",
                                        config: MobileNetV2Config.self) { c, context in
            MobileNetV2(outputStride: c.common.outputStride, widthMultiplier: 1 / Float(c.common.widthDivisor), padding: c.padding,
                        using: &context.rng)
        }
        try registry.backbones.register("wide_resnet38", summary: "WiderResNet38-A2 (RPL's keys, children at the segmenter root)",
                                        config: BackboneConfig.self) { c, context in
            WiderResNet38(outputStride: c.outputStride, widthDivisor: c.widthDivisor, using: &context.rng)
        }
    }
}
