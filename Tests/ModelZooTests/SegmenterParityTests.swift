import Foundation
import Testing
import HDF5Store
import ModelZoo
import NeuralNet
import TensorCore
import PixelOoDTestSupport

/// The narrowed segmenters of `scripts/fixtures/models.py`.
func fixtureSegmenter(_ name: String) -> DeepLabV3Plus {
    var rng = SeededGenerator(seed: 0)
    let backbone: any Backbone
    switch name {
    case "deeplab_wrn38_os8": backbone = WiderResNet38(outputStride: .eight, widthDivisor: 32, using: &rng)
    case "deeplab_resnet50_os8": backbone = ResNet(depth: .resnet50, outputStride: .eight, widthDivisor: 16, using: &rng)
    default: backbone = ResNet(depth: .resnet101, outputStride: .sixteen, widthDivisor: 16, using: &rng)
    }
    return DeepLabV3Plus(backbone: backbone, numClasses: 19, asppChannels: 16, lowLevelChannels: 8, using: &rng)
}

/// The state dict stored under `/<name>/state_dict`.
func fixtureStateDict(_ fixture: Fixture, _ name: String) throws -> StateDict {
    var state = StateDict()
    let group = "/\(name)/state_dict"
    for key in try fixture.file.children(of: group) {
        if try fixture.file.info(group + "/" + key).isFloat {
            state.append(key, try fixture.tensor(group + "/" + key))
        } else {
            state.append(key, Tensor(shape: [], try fixture.file.readInt64(group + "/" + key).values.map(Float.init)), dtype: .int64)
        }
    }
    return state
}

@Suite("DeepLabV3+ segmenters against PyTorch")
struct SegmenterParityTests {
    static let models = ["deeplab_wrn38_os8", "deeplab_resnet50_os8", "deeplab_resnet101_os16"]

    @Test("state-dict keys equal the PyTorch definitions', in order", arguments: models)
    func keys(_ name: String) throws {
        let path = Fixture.directory.appendingPathComponent("keys/\(name).txt").path
        let expected = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(fixtureSegmenter(name).stateDict().keys == expected)
    }

    @Test("logits, dec0, z, ASPP and low-level features agree to 1e-4 in eval mode", arguments: models)
    func outputs(_ name: String) throws {
        let fixture = try Fixture("models.h5")
        let model = fixtureSegmenter(name)
        try model.load(try fixtureStateDict(fixture, name), source: "models.h5/\(name)")
        model.eval().freeze()
        let input = try fixture.tensor("/\(name)/input")
        let output = GradMode.noGrad { model(input) }
        expectClose(output.logits, try fixture.tensor("/\(name)/logits"), "\(name) logits")
        expectClose(output.decoderFeatures, try fixture.tensor("/\(name)/dec0"), "\(name) dec0")
        expectClose(output.features["backbone"]!, try fixture.tensor("/\(name)/backbone"), "\(name) z")
        expectClose(output.features["aspp"]!, try fixture.tensor("/\(name)/aspp"), "\(name) aspp")
        expectClose(output.features["low"]!, try fixture.tensor("/\(name)/low"), "\(name) low")
        let again = model.classify(output.decoderFeatures, outputSize: (output.logits.shape[2], output.logits.shape[3]))
        #expect(again.scalars == output.logits.scalars, "classify(dec0) re-runs the final block only")
    }

    @Test("a residual added to dec0 flows back to the residual only, not into the frozen segmenter")
    func residualGradient() throws {
        let fixture = try Fixture("models.h5")
        let model = fixtureSegmenter("deeplab_wrn38_os8")
        try model.load(try fixtureStateDict(fixture, "deeplab_wrn38_os8"))
        model.eval().freeze()
        let input = try fixture.tensor("/deeplab_wrn38_os8/input")
        let output = GradMode.noGrad { model(input) }
        let residual = Tensor.zeros(output.decoderFeatures.shape).requiringGrad()
        let logits = model.classify(output.decoderFeatures + residual, outputSize: (32, 48))
        logits.logsumexp(axis: 1).mean().backward()
        #expect(residual.grad != nil && residual.grad!.scalars.contains { $0 != 0 })
        #expect(model.trainableParameters().isEmpty)
    }
}
