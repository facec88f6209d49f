import ArgumentParser
import ModelZoo
import OoDKit
import TensorCore

/// The segmenter and input size of `bench model` and `bench eval`, and how to build it.
struct SegmenterBenchArguments: ParsableArguments {
    @Option(help: "Backbone: \(CommandContext.registry.backbones.names.joined(separator: ", ")), or ldn121.")
    var backbone = "resnet50"

    @Option(help: "Output stride (8 or 16; LDN-121 ignores it).")
    var outputStride = 8

    @Option(help: "Input height.")
    var height = 512

    @Option(help: "Input width.")
    var width = 1024

    func validate() throws {
        guard OutputStride(rawValue: outputStride) != nil else { throw ValidationError("--output-stride must be 8 or 16") }
    }

    /// The segmenter (DeepLabV3+ on the backbone, or LDN-121) with weights drawn from `seed`.
    func buildSegmenter(seed: UInt64) throws -> any Segmenter {
        let registry = CommandContext.registry
        let node = backbone == "ldn121" ? try RecipeNode(yaml: "{type: ldn121}")
            : try RecipeNode(yaml: "{type: deeplabv3plus, backbone: {type: \(backbone), output_stride: \(outputStride)}}")
        return try registry.segmenters.build(node, BuildContext(registry: registry, rng: SeededGenerator(seed: seed)))
    }
}
