import Testing
import ModelZoo
import OoDKit
import SceneData
import TensorCore
import PixelOoDTestSupport

@Suite("OoDKit's outlier-exposure loss terms against PyTorch")
struct LossFixtureTests {
    @Test("value and gradient with respect to the logits agree with scripts/fixtures/losses.py to 1e-5",
          arguments: [("energy_hinge", "energy_hinge", "/labels"), ("energy_hinge_m", "{type: energy_hinge, m_in: -3, m_out: -1}", "/labels"),
                      ("energy_hinge_none", "energy_hinge", "/labels_none"), ("outlier_entropy", "outlier_entropy", "/labels")])
    func agrees(_ name: String, _ yaml: String, _ labels: String) throws {
        let fixture = try Fixture("losses.h5")
        let logits = try fixture.tensor("/logits").requiringGrad()
        let labelTensor = try fixture.indices(labels)
        let n = logits.shape[0]
        let batch = TrainingBatch(images: Tensor.zeros([n, 3, 1, 1]), labels: labelTensor, pasted: Array(repeating: true, count: n))
        let registry = try Registry(plugins: [])
        let term = try registry.losses.build(try RecipeNode(yaml: yaml), BuildContext(registry: registry, rng: SeededGenerator(seed: 0)))
        #expect(term.name == yaml.split(separator: ",")[0].replacingOccurrences(of: "{type: ", with: ""))
        // `logits: auto` reads the head's logits when the head has them, the segmenter's otherwise.
        for (seg, head) in [(Tensor.zeros([n, 5, 6, 7]), HeadOutput(logits: logits)), (logits, HeadOutput())] {
            logits.zeroGrad()
            let value = try term(batch, SegmenterOutput(logits: seg, decoderFeatures: Tensor.zeros([n, 1, 1, 1]), features: [:]), head)
            expectClose(value, try fixture.tensor("/" + name), tolerance: 1e-5, name)
            value.backward()
            expectClose(try #require(logits.grad), try fixture.tensor("/\(name)_grad"), tolerance: 1e-5, name + " gradient")
        }
    }

    @Test("outlier_entropy is 0 without outlier pixels; margins out of order and logits: head without head logits are named errors")
    func edges() throws {
        let fixture = try Fixture("losses.h5")
        let logits = try fixture.tensor("/logits")
        let batch = TrainingBatch(images: Tensor.zeros([2, 3, 1, 1]), labels: try fixture.indices("/labels_none"), pasted: [false, false])
        let seg = SegmenterOutput(logits: logits, decoderFeatures: Tensor.zeros([2, 1, 1, 1]), features: [:])
        #expect(try OutlierEntropyLoss()(batch, seg, HeadOutput()).scalars == [0])
        #expect(try fixture.tensor("/outlier_entropy_none").scalars == [0])
        let registry = try Registry(plugins: [])
        let context = BuildContext(registry: registry, rng: SeededGenerator(seed: 0))
        let error = #expect(throws: RecipeError.self) {
            try registry.losses.build(try RecipeNode(yaml: "{type: energy_hinge, m_in: -1, m_out: -6}"), context)
        }
        #expect(error.map { "\($0)" }?.contains("m_out") == true, "the error names the key: \(String(describing: error))")
        do {
            _ = try EnergyHingeLoss(logits: .head)(batch, seg, HeadOutput())
            Issue.record("no error without head logits")
        } catch let error as LossError {
            #expect(error.term == "energy_hinge")
        }
    }
}
