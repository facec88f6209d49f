import Foundation
import Testing
import HDF5Store
import ModelZoo
import NeuralNet
import TensorCore
import PixelOoDTestSupport

/// The narrowed segmenters of `scripts/fixtures/models.py`.
func fixtureSegmenter(_ name: String) throws -> any Segmenter {
    var rng = SeededGenerator(seed: 0)
    if name == "ldn121" { return try LadderDenseNet(numClasses: 19, widthDivisor: 8, using: &rng) }
    let backbone: any Backbone
    switch name {
    case "deeplab_wrn38_os8": backbone = WiderResNet38(outputStride: .eight, widthDivisor: 32, using: &rng)
    case "deeplab_resnet50_os8": backbone = ResNet(depth: .resnet50, outputStride: .eight, widthDivisor: 16, using: &rng)
    case "deeplab_mobilenetv2_os16": backbone = MobileNetV2(outputStride: .sixteen, widthMultiplier: 0.25, using: &rng)
    case "deeplab_mobilenetv2_os8": backbone = MobileNetV2(outputStride: .eight, widthMultiplier: 0.25, using: &rng)
    default: backbone = ResNet(depth: .resnet101, outputStride: .sixteen, widthDivisor: 16, using: &rng)
    }
    return try DeepLabV3Plus(backbone: backbone, numClasses: 19, asppChannels: 16, lowLevelChannels: 8, using: &rng)
}

/// The state dict stored under `/state_dict` of a model fixture.
func fixtureStateDict(_ fixture: Fixture) throws -> StateDict {
    var state = StateDict()
    let group = "/state_dict"
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
    static let models = ["deeplab_wrn38_os8", "deeplab_resnet50_os8", "deeplab_resnet101_os16",
                         "deeplab_mobilenetv2_os16", "deeplab_mobilenetv2_os8", "ldn121"]

    @Test("state-dict keys equal the PyTorch definitions', in order", arguments: models)
    func keys(_ name: String) throws {
        let path = Fixture.directory.appendingPathComponent("keys/\(name).txt").path
        let expected = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(try fixtureSegmenter(name).stateDict().keys == expected)
    }

    @Test("logits, decoder features, z, ASPP and low-level features agree to 1e-4 in eval mode", arguments: models)
    func outputs(_ name: String) throws {
        let fixture = try Fixture("models/\(name).h5")
        let model = try fixtureSegmenter(name)
        try model.load(try fixtureStateDict(fixture), source: fixture.file.path)
        model.eval().freeze()
        let input = try fixture.tensor("/input")
        let output = GradMode.noGrad { model(input) }
        expectClose(output.logits, try fixture.tensor("/logits"), "\(name) logits")
        expectClose(output.decoderFeatures, try fixture.tensor("/dec0"), "\(name) dec0")
        expectClose(try #require(output.features["out"]), try fixture.tensor("/backbone"), "\(name) z")
        if fixture.file.contains("/aspp") {
            expectClose(try #require(output.features["context"]), try fixture.tensor("/aspp"), "\(name) aspp")
        }
        expectClose(try #require(output.features["low"]), try fixture.tensor("/low"), "\(name) low")
        let encoded = GradMode.noGrad { model.encode(input) }
        let decoded = try GradMode.noGrad { try model.decode(encoded, outputSize: (input.shape[2], input.shape[3])) }
        #expect(decoded.logits.scalars == output.logits.scalars, "decode(encode(x)) is the forward")
        #expect(Set(model.featureInfo.map(\.name)) == Set(output.features.keys).union(["decoder"]),
                "featureInfo lists every feature and the decoder input")
        let decoderInfo = try model.featureInfo.info("decoder", for: "test")
        #expect(decoderInfo.channels == output.decoderFeatures.shape[1])
        #expect(decoderInfo.stride == input.shape[2] / output.decoderFeatures.shape[2])
        for info in model.featureInfo where info.name != "decoder" {
            let map = try #require(output.features[info.name])
            #expect(map.shape[1] == info.channels && input.shape[2] / map.shape[2] == info.stride, "\(name) \(info.name)")
        }
        let again = model.classify(output.decoderFeatures, outputSize: (output.logits.shape[2], output.logits.shape[3]))
        #expect(again.scalars == output.logits.scalars, "classify(dec0) re-runs the final block only")
    }

    @Test("decoding cached features that lack a map names it; a head asking for a missing map is told what exists")
    func missingFeatures() throws {
        let model = try fixtureSegmenter("deeplab_resnet50_os8")
        model.eval()
        var rng = SeededGenerator(seed: 1)
        var encoded = GradMode.noGrad { model.encode(Tensor.normal([1, 3, 32, 32], using: &rng)) }
        encoded["low"] = nil
        #expect(throws: SegmenterError.missingFeatures(consumer: "deeplabv3plus decode", missing: ["low"], available: ["out"])) {
            _ = try model.decode(encoded, outputSize: (32, 32))
        }
        do {
            try model.requireFeatures(["out", "z"], for: "head 'rpl'")
            Issue.record("a missing feature passed")
        } catch let error as SegmenterError {
            #expect(error.description.contains("head 'rpl' needs feature 'z'") && error.description.contains("context"))
        }
    }

    @Test("a residual added to dec0 flows back to the residual only, not into the frozen segmenter")
    func residualGradient() throws {
        let fixture = try Fixture("models/deeplab_wrn38_os8.h5")
        let model = try fixtureSegmenter("deeplab_wrn38_os8")
        try model.load(try fixtureStateDict(fixture))
        model.eval().freeze()
        let input = try fixture.tensor("/input")
        let output = GradMode.noGrad { model(input) }
        let residual = Tensor.zeros(output.decoderFeatures.shape).requiringGrad()
        let logits = model.classify(output.decoderFeatures + residual, outputSize: (32, 48))
        logits.logsumexp(axis: 1).mean().backward()
        #expect(residual.grad != nil && residual.grad!.scalars.contains { $0 != 0 })
        #expect(model.trainableParameters().isEmpty)
    }
}

@Suite("Converted checkpoints")
struct ConvertedCheckpointTests {
    @Test("an official-RPL-layout checkpoint converted by scripts/convert_checkpoint.py loads 1:1 under segmenter.")
    func convertedRPL() throws {
        let path = Fixture.directory.appendingPathComponent("models/converted_rpl_wrn38.h5").path
        let model = try fixtureSegmenter("deeplab_wrn38_os8")
        try model.load(checkpoint: path, prefix: "segmenter.")
        model.eval()
        let fixture = try Fixture("models/deeplab_wrn38_os8.h5")
        let input = try fixture.tensor("/input")
        let logits = GradMode.noGrad { model(input).logits }
        expectClose(logits, try fixture.tensor("/logits"), "logits from the converted checkpoint")
        #expect(try StateDict.load(from: path).keys.contains("head.atten_aspp_final.weight"))
        #expect(try H5File.open(path).isSealed, "convert_checkpoint.py's Python ContentHasher seals what Swift verifies")
    }

    @Test("loading into the wrong architecture names every mismatched key and the file")
    func wrongArchitecture() throws {
        let path = Fixture.directory.appendingPathComponent("models/converted_rpl_wrn38.h5").path
        let model = try fixtureSegmenter("deeplab_resnet50_os8")
        do {
            try model.load(checkpoint: path, prefix: "segmenter.")
            Issue.record("a WiderResNet38 checkpoint loaded into a ResNet-50 segmenter")
        } catch let error as StateDictError {
            #expect(error.source == path)
            #expect(error.missing.contains("backbone.conv1.weight") && error.unexpected.contains("mod1.conv1.weight"))
        }
    }
}

@Suite("Frozen inference")
struct FrozenInferenceTests {
    /// The fixture of segmenter `name` and the model with its weights, in eval mode and frozen.
    func frozenFixture(_ name: String) throws -> (Fixture, any Segmenter) {
        let fixture = try Fixture("models/\(name).h5")
        let model = try fixtureSegmenter(name)
        try model.load(try fixtureStateDict(fixture))
        model.eval().freeze()
        return (fixture, model)
    }

    @Test("folding batch norms keeps the outputs and removes the normalisation passes", arguments: SegmenterParityTests.models)
    func foldedMatchesPyTorch(_ name: String) throws {
        let (fixture, model) = try frozenFixture(name)
        let batchNorms = { model.namedModules().filter { $0.module is BatchNorm2d }.count }
        let before = batchNorms()
        let folded = model.foldBatchNorms()
        #expect(folded > 0 && batchNorms() == before - folded)
        let input = try fixture.tensor("/input")
        let output = GradMode.noGrad { model(input) }
        #expect(!output.logits.requiresGrad)
        expectClose(output.logits, try fixture.tensor("/logits"), "\(name) folded logits")
    }
    @Test("the fused convolution epilogues give the separate layers' values bit for bit, batch norms folded or not",
          arguments: SegmenterParityTests.models)
    func fusedMatchesSeparateLayers(_ name: String) throws {
        let (fixture, model) = try frozenFixture(name)
        let input = try fixture.tensor("/input")
        // Batch norms in evaluation mode, not folded (a frozen segmenter under a training head), then folded.
        for stage in ["unfolded", "folded"] {
            if stage == "folded" { _ = model.foldBatchNorms() }
            let fused = GradMode.noGrad { model(input) }.logits
            // An input that records gradients makes every convolution take the separate ops.
            let separate = model(input.requiringGrad()).logits
            #expect(separate.requiresGrad)
            #expect(fused.scalars.map(\.bitPattern) == separate.scalars.map(\.bitPattern), "\(name), \(stage)")
        }
    }

    @Test("Winograd convolutions keep a segmenter's logits within 1e-4 of im2col's")
    func winogradMatchesIm2col() throws {
        var rng = SeededGenerator(seed: 3)
        let backbone = ResNet(depth: .resnet50, outputStride: .eight, widthDivisor: 8, using: &rng)
        // The decoder's 3×3 convolutions (40 → 32 and 32 → 32 channels at 32×64, batch 2) are ones Winograd takes.
        let model = try DeepLabV3Plus(backbone: backbone, numClasses: 19, asppChannels: 32, lowLevelChannels: 8, using: &rng)
        model.eval().freeze()
        _ = model.foldBatchNorms()
        let input = Tensor.normal([2, 3, 128, 256], using: &rng)
        let winograd = GradMode.noGrad { ConvolutionAlgorithm.using(.winograd) { model(input) } }
        let direct = GradMode.noGrad { ConvolutionAlgorithm.using(.im2col) { model(input) } }
        expectClose(winograd.logits, direct.logits, "logits")
        expectClose(winograd.decoderFeatures, direct.decoderFeatures, "dec0")
        #expect(winograd.logits.scalars != direct.logits.scalars, "the two algorithms round differently, so Winograd ran")
    }
}
