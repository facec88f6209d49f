import Testing
import ModelZoo
import NeuralNet
import OoDKit
import TensorCore
import PixelOoDTestSupport

@Suite("DeepLabV3+ in VainF's DeepLabV3Plus-Pytorch layout")
struct VainFLayoutTests {
    static let models = [
        ("resnet50_os8", "{type: resnet50, output_stride: 8, width_divisor: 16}"),
        ("mobilenetv2_os16", "{type: mobilenet_v2, output_stride: 16, width_divisor: 4, padding: vainf}"),
    ]

    /// The narrowed segmenter of `scripts/fixtures/vainf.py` with `backbone`.
    func segmenter(_ backbone: String) throws -> any Segmenter {
        let registry = try Registry(plugins: [])
        let node = try RecipeNode(yaml: "{type: deeplabv3plus_vainf, aspp_channels: 16, low_level_channels: 8, backbone: \(backbone)}")
        return try registry.segmenters.build(node, BuildContext(registry: registry, rng: SeededGenerator(seed: 0)))
    }

    @Test("a port checkpoint converted with --source vainf loads strictly; logits and dec0 agree with PyTorch to 1e-4", arguments: models)
    func agrees(_ name: String, _ backbone: String) throws {
        let model = try segmenter(backbone)
        try model.load(checkpoint: Fixture.directory.appendingPathComponent("models/converted_vainf_\(name).h5").path, prefix: "segmenter.")
        model.eval().freeze()
        let fixture = try Fixture("vainf.h5")
        let input = try fixture.tensor("/\(name)/input")
        let output = GradMode.noGrad { model(input) }
        expectClose(output.logits, try fixture.tensor("/\(name)/logits"), "\(name) logits")
        expectClose(output.decoderFeatures, try fixture.tensor("/\(name)/dec0"), "\(name) dec0")
    }

    @Test("the port's MobileNetV2 padding changes the numbers: the same weights with torchvision's padding differ")
    func mobileNetPaddingMatters() throws {
        let path = Fixture.directory.appendingPathComponent("models/converted_vainf_mobilenetv2_os16.h5").path
        let torchvision = try segmenter("{type: mobilenet_v2, output_stride: 16, width_divisor: 4}")
        try torchvision.load(checkpoint: path, prefix: "segmenter.")
        torchvision.eval().freeze()
        let fixture = try Fixture("vainf.h5")
        let input = try fixture.tensor("/mobilenetv2_os16/input")
        let logits = GradMode.noGrad { torchvision(input) }.logits.scalars
        let expected = try fixture.tensor("/mobilenetv2_os16/logits").scalars
        #expect(zip(logits, expected).map { abs($0 - $1) }.max() ?? 0 > 1e-3, "10x the parity tolerance")
    }
}
