import Testing
import ModelZoo
import NeuralNet
import TensorCore
import PixelOoDTestSupport

/// A narrow ResNet-50 DeepLabV3+ of the parity fixtures, optionally with PEBAL's abstention output.
private func resnetDeepLab(abstention: Bool) throws -> DeepLabV3Plus {
    var rng = SeededGenerator(seed: 0)
    return try DeepLabV3Plus(backbone: ResNet(depth: .resnet50, outputStride: .eight, widthDivisor: 16, using: &rng), numClasses: 19,
                             asppChannels: 16, lowLevelChannels: 8, abstention: abstention, using: &rng)
}

@Suite("DeepLabV3+ with PEBAL's abstention output")
struct AbstentionOutputTests {
    @Test("a 19-class checkpoint loads: class logits equal PyTorch's, the abstention row stays Kaiming-normal, keys as PEBAL's")
    func loadsClassCheckpoint() throws {
        let fixture = try Fixture("models/deeplab_resnet50_os8.h5")
        let model = try resnetDeepLab(abstention: true)
        let initialRow = try #require(model.final.namedParameters().first { $0.key == "6.weight" }).parameter.value.slice(axis: 0, start: 19)
        try model.load(try fixtureStateDict(fixture), source: fixture.file.path)
        model.eval().freeze()
        let weight = try #require(model.stateDict()["final.6.weight"])
        #expect(weight.shape == [20, 16, 1, 1], "PEBAL's final.6.weight has K + 1 rows")
        #expect(weight.slice(axis: 0, start: 19).scalars == initialRow.scalars, "the abstention row keeps its initialisation")
        let std = (initialRow.scalars.map { $0 * $0 }.reduce(0, +) / 16).squareRoot()
        #expect(std > 0.15 && std < 0.6, "Kaiming-normal, std √(2/16) ≈ 0.35 (got \(std))")

        let input = try fixture.tensor("/input")
        let output = GradMode.noGrad { model(input) }
        expectClose(output.logits, try fixture.tensor("/logits"), "class logits with an abstention output")
        let abstention = try #require(output.abstentionLogits)
        #expect(abstention.shape == [input.shape[0], 1, input.shape[2], input.shape[3]])
        let all = GradMode.noGrad { model.final(output.decoderFeatures).resizeBilinear(to: (input.shape[2], input.shape[3]), alignCorners: true) }
        #expect(abstention.scalars == all.slice(axis: 1, start: 19).scalars, "the abstention logit is final's last channel")
        #expect(model.classify(output.decoderFeatures, outputSize: (input.shape[2], input.shape[3])).shape[1] == 19,
                "classify gives the class logits only (RPL on a PEBAL segmenter)")
    }

    @Test("a PEBAL checkpoint round-trips; it does not load into a model without the abstention output, and the error says which option loads it")
    func pebalCheckpoint() throws {
        let trained = try resnetDeepLab(abstention: true)
        let state = trained.stateDict()
        var rng = SeededGenerator(seed: 9)
        let other = try DeepLabV3Plus(backbone: ResNet(depth: .resnet50, outputStride: .eight, widthDivisor: 16, using: &rng), numClasses: 19,
                                      asppChannels: 16, lowLevelChannels: 8, abstention: true, using: &rng)
        try other.load(state)
        #expect(other.stateDict()["final.6.weight"]?.scalars == state["final.6.weight"]?.scalars)
        do {
            try resnetDeepLab(abstention: false).load(state, source: "pebal.h5")
            Issue.record("a PEBAL checkpoint loaded into a model without the abstention output")
        } catch let error as StateDictError {
            #expect(error.mismatched.map(\.key) == ["final.6.weight"])
            #expect("\(error)".contains("hint: final.6.weight has 20 rows, 19 classes + 1: a PEBAL checkpoint") && "\(error)".contains("`abstention: true`"), "\(error)")
        }
        var fewer = SeededGenerator(seed: 3)
        let eightClasses = try DeepLabV3Plus(backbone: ResNet(depth: .resnet50, outputStride: .eight, widthDivisor: 16, using: &fewer), numClasses: 8,
                                             asppChannels: 16, lowLevelChannels: 8, abstention: false, using: &fewer).stateDict()
        do {
            try resnetDeepLab(abstention: true).load(eightClasses)
            Issue.record("an 8-class checkpoint loaded into a 19-class model")
        } catch let error as StateDictError {
            #expect(error.hints == ["final.6.weight has 8 rows; with `abstention: true` it loads as `num_classes: 8` (a class layout, "
                                    + "the abstention row initialised) or `num_classes: 7` (a PEBAL layout)"], "\(error)")
        }
        #expect(try resnetDeepLab(abstention: false)(Tensor.zeros([1, 3, 16, 16])).abstentionLogits == nil)
    }
}
