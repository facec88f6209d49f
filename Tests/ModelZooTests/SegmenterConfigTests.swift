import Foundation
import Testing
import ModelZoo
import NeuralNet
import TensorCore

@Suite("Segmenter configurations")
struct SegmenterConfigTests {
    @Test("every registered backbone builds and segments at its output size", arguments: SegmenterConfig.backbones)
    func builds(_ name: String) throws {
        var rng = SeededGenerator(seed: 3)
        let config = SegmenterConfig(backbone: name, outputStride: .sixteen, numClasses: 7, widthDivisor: 16)
        let model = try config.build(using: &rng)
        model.eval()
        let output = GradMode.noGrad { model(Tensor.normal([1, 3, 64, 96], using: &rng)) }
        #expect(output.logits.shape == [1, 7, 64, 96])
        #expect(output.logits.scalars.allSatisfy { $0.isFinite })
        #expect(output.features["backbone"] != nil)
    }

    @Test("decodes snake_case keys with defaults, and names unknown backbones with a suggestion")
    func decoding() throws {
        let json = #"{"backbone": "resnet101", "output_stride": 16}"#
        let config = try JSONDecoder().decode(SegmenterConfig.self, from: Data(json.utf8))
        #expect(config == SegmenterConfig(backbone: "resnet101", outputStride: .sixteen, numClasses: 19, widthDivisor: 1))
        do {
            _ = try JSONDecoder().decode(SegmenterConfig.self, from: Data(#"{"backbone": "resnet5"}"#.utf8))
            Issue.record("an unknown backbone decoded")
        } catch let error as ModelConfigError {
            #expect(error.description.contains("unknown backbone 'resnet5'") && error.description.contains("did you mean 'resnet50'"))
        }
    }
}
