import Testing
import HDF5Store
import ModelZoo
import OoDKit
import RPL
import SceneData
import TensorCore
import PixelOoDTestSupport

@Suite("RPL's loss terms against PyTorch")
struct RPLLossTests {
    /// The fixture's head logits (a leaf), the frozen logits as a segmenter output, and a batch with `labels`.
    static func inputs(_ fixture: Fixture, labels: String = "/losses/labels") throws -> (Tensor, SegmenterOutput, TrainingBatch) {
        let logits = try fixture.tensor("/losses/logits").requiringGrad()
        let vanilla = try fixture.tensor("/losses/vanilla")
        let labelTensor = try fixture.indices(labels)
        let n = logits.shape[0]
        let seg = SegmenterOutput(logits: vanilla, decoderFeatures: Tensor.zeros([n, 1, 1, 1]), features: [:])
        let batch = TrainingBatch(images: Tensor.zeros([n, 3, 1, 1]), labels: labelTensor, pasted: Array(repeating: true, count: n))
        return (logits, seg, batch)
    }

    @Test("value and gradient with respect to the head's logits agree with scripts/fixtures/rpl.py to 1e-5",
          arguments: [("inlier", "{type: rpl.inlier}", "/losses/labels"), ("inlier_t2", "{type: rpl.inlier, temperature: 2}", "/losses/labels"),
                      ("positive_energy", "rpl.positive_energy", "/losses/labels"),
                      ("inlier_none", "rpl.inlier", "/losses/labels_none")])
    func agrees(_ name: String, _ yaml: String, _ labels: String) throws {
        let fixture = try Fixture("rpl.h5")
        let (logits, seg, batch) = try Self.inputs(fixture, labels: labels)
        let registry = try Registry(plugins: [RPLPlugin.self])
        let term = try registry.losses.build(try RecipeNode(yaml: yaml), BuildContext(registry: registry, rng: SeededGenerator(seed: 0)))
        let value = try term(batch, seg, HeadOutput(logits: logits))
        expectClose(value, try fixture.tensor("/losses/" + name), tolerance: 1e-5, name)
        value.backward()
        expectClose(try #require(logits.grad), try fixture.tensor("/losses/\(name)_grad"), tolerance: 1e-5, name + " gradient")
    }

    @Test("dissimilarity: false leaves the pseudo-label cross-entropy: the full term minus the fixture's dissimilarity part")
    func withoutDissimilarity() throws {
        let fixture = try Fixture("rpl.h5")
        let (logits, seg, batch) = try Self.inputs(fixture)
        let registry = try Registry(plugins: [RPLPlugin.self])
        let term = try registry.losses.build(try RecipeNode(yaml: "{type: rpl.inlier, dissimilarity: false}"),
                                             BuildContext(registry: registry, rng: SeededGenerator(seed: 0)))
        let value = try term(batch, seg, HeadOutput(logits: logits)).item
        let pseudo = zip(seg.logits.argmax(axis: 1).values, batch.labels.values).map { $1 == 254 || $1 == 255 ? Int32(255) : $0 }
        let crossEntropy = logits.detached().crossEntropy(target: IndexTensor(shape: batch.labels.shape, pseudo), ignoreIndex: 255).item
        #expect(abs(value - crossEntropy) < 1e-6)
        #expect(value < (try fixture.tensor("/losses/inlier")).item, "the dissimilarity part is positive on the fixture")
    }

    @Test("the positive energy is 0 on a batch without outlier pixels; a term on a head without logits names itself")
    func edges() throws {
        let fixture = try Fixture("rpl.h5")
        let (logits, seg, batch) = try Self.inputs(fixture, labels: "/losses/labels_none")
        #expect(try RPLPositiveEnergyLoss()(batch, seg, HeadOutput(logits: logits)).scalars == [0])
        #expect(try fixture.tensor("/losses/positive_energy_none").scalars == [0])
        do {
            _ = try RPLInlierLoss()(batch, seg, HeadOutput())
            Issue.record("no error without head logits")
        } catch let error as LossError {
            #expect(error.term == "rpl.inlier")
        }
    }
}
