import ModelZoo

/// `{backbone: {type: wide_resnet38}, num_classes: 19, aspp_channels: 256,
/// low_level_channels: 48, width_divisor: 1, abstention: false}`: DeepLabV3+ in the RPL layout.
public struct DeepLabV3PlusConfig: RecipeConfig {
    /// The backbone's node (a name or `{type: …, output_stride: …}`).
    public var backbone: NestedNode<BackboneCatalog>?
    /// Classes of the segmentation head.
    public var numClasses: Int
    /// ASPP width (256), divided by `width_divisor`.
    public var asppChannels: Int
    /// Width of the projected low-level map (48), divided by `width_divisor`.
    public var lowLevelChannels: Int
    /// Narrows the decoder by this factor (the backbone has its own).
    public var widthDivisor: Int
    /// PEBAL's extra abstention output (`final.6` with `num_classes + 1` rows).
    public var abstention: Bool

    enum CodingKeys: String, CodingKey {
        case backbone, numClasses = "num_classes", asppChannels = "aspp_channels"
        case lowLevelChannels = "low_level_channels", widthDivisor = "width_divisor", abstention
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        backbone = try c.decodeIfPresent(NestedNode<BackboneCatalog>.self, forKey: .backbone)
        numClasses = try c.value(.numClasses, default: 19)
        asppChannels = try c.value(.asppChannels, default: 256)
        lowLevelChannels = try c.value(.lowLevelChannels, default: 48)
        widthDivisor = try c.value(.widthDivisor, default: 1)
        abstention = try c.value(.abstention, default: false)
    }

    public func validate() throws {
        guard (1...1000).contains(numClasses) else { throw ConfigError(key: "num_classes", "must be 1 to 1000, got \(numClasses)") }
        guard (1...4096).contains(asppChannels) else { throw ConfigError(key: "aspp_channels", "must be 1 to 4096, got \(asppChannels)") }
        guard (1...4096).contains(lowLevelChannels) else {
            throw ConfigError(key: "low_level_channels", "must be 1 to 4096, got \(lowLevelChannels)")
        }
        guard (1...64).contains(widthDivisor) else { throw ConfigError(key: "width_divisor", "must be 1 to 64, got \(widthDivisor)") }
    }
}

/// `{num_classes: 19, width_divisor: 1}`: LDN-121.
public struct LadderDenseNetConfig: RecipeConfig {
    /// Classes of the segmentation head.
    public var numClasses: Int
    /// Narrows every layer by this factor.
    public var widthDivisor: Int

    enum CodingKeys: String, CodingKey { case numClasses = "num_classes", widthDivisor = "width_divisor" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        numClasses = try c.value(.numClasses, default: 19)
        widthDivisor = try c.value(.widthDivisor, default: 1)
    }

    public func validate() throws {
        guard (1...1000).contains(numClasses) else { throw ConfigError(key: "num_classes", "must be 1 to 1000, got \(numClasses)") }
        guard (1...64).contains(widthDivisor) else { throw ConfigError(key: "width_divisor", "must be 1 to 64, got \(widthDivisor)") }
    }
}

extension CorePlugin {
    static func registerSegmenters(into registry: inout Registry) throws {
        try registry.segmenters.register("deeplabv3plus", summary: "DeepLabV3+ in the RPL layout on any registered backbone",
                                         config: DeepLabV3PlusConfig.self) { c, context in
            let backboneNode = c.backbone?.node ?? RecipeNode(value: .scalar("wide_resnet38", quoted: false, at: .init(
                file: "<default>", line: 1, column: 1, lineText: "")), keyPath: ["segmenter", "backbone"])
            let backbone = try context.registry.backbones.build(backboneNode, context)
            let narrow = { (channels: Int) in max(1, channels / c.widthDivisor) }
            return try DeepLabV3Plus(backbone: backbone, numClasses: c.numClasses, asppChannels: narrow(c.asppChannels),
                                     lowLevelChannels: narrow(c.lowLevelChannels), abstention: c.abstention, using: &context.rng)
        }
        try registry.segmenters.register("deeplabv3plus_vainf", summary: "DeepLabV3+ in VainF's DeepLabV3Plus-Pytorch layout (classifier.*)",
                                         config: DeepLabV3PlusConfig.self) { c, context in
            guard !c.abstention else { throw ConfigError(key: "abstention", "applies to deeplabv3plus (the RPL layout) only") }
            let backboneNode = c.backbone?.node ?? RecipeNode(value: .scalar("resnet101", quoted: false, at: .init(
                file: "<default>", line: 1, column: 1, lineText: "")), keyPath: ["segmenter", "backbone"])
            let backbone = try context.registry.backbones.build(backboneNode, context)
            let narrow = { (channels: Int) in max(1, channels / c.widthDivisor) }
            return try VainFDeepLabV3Plus(backbone: backbone, numClasses: c.numClasses, asppChannels: narrow(c.asppChannels),
                                          lowLevelChannels: narrow(c.lowLevelChannels), using: &context.rng)
        }
        try registry.segmenters.register("ldn121", summary: "LDN-121: DenseNet-121 with ladder upsampling (DenseHybrid layout)",
                                         config: LadderDenseNetConfig.self) { c, context in
            try LadderDenseNet(numClasses: c.numClasses, widthDivisor: c.widthDivisor, using: &context.rng)
        }
    }
}
