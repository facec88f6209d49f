import Testing
import DUQ
import ModelZoo
import NeuralNet
import OoDKit
import SceneData
import TensorCore
import PixelOoDTestSupport

/// The fixture's head (C 4, E 3, D 6, σ 0.5, γ 0.9) with `W`, `m`, `N` loaded, in training mode.
private func fixtureHead(_ fixture: Fixture) throws -> DUQHead {
    var rng = SeededGenerator(seed: 0)
    let head = DUQHead(DUQConfig(embedding: 3, lengthScale: 0.5, gamma: 0.9), classes: 4, channels: 6, using: &rng)
    var state = StateDict()
    for key in ["W", "m", "N"] { state.append(key, try fixture.tensor("/" + key)) }
    try head.load(state, source: "duq.h5")
    return head
}

/// The fixture's map as a segmenter output (logits only give the size: 10 x 14).
private func segmenterOutput(_ features: Tensor) -> SegmenterOutput {
    SegmenterOutput(logits: Tensor.zeros([2, 4, 10, 14]), decoderFeatures: features, features: [:])
}

private func batch(_ fixture: Fixture) throws -> TrainingBatch {
    TrainingBatch(images: Tensor.zeros([2, 3, 10, 14]), labels: try fixture.indices("/labels"), pasted: [true, false])
}

private func term(_ yaml: String) throws -> any LossTerm {
    let registry = try Registry(plugins: [DUQPlugin.self])
    return try registry.losses.build(try RecipeNode(yaml: yaml), BuildContext(registry: registry, rng: SeededGenerator(seed: 0)))
}

@Suite("DUQ's RBF head against PyTorch")
struct DUQHeadTests {
    @Test("kernels, score and the penalty's input gradient agree with scripts/fixtures/duq.py to 1e-5")
    func forward() throws {
        let fixture = try Fixture("duq.h5")
        let head = try fixtureHead(fixture)
        let seg = segmenterOutput(try fixture.tensor("/features"))
        let out = head.forward(seg)
        expectClose(try #require(out.extra[DUQHead.Output.kernel]), try fixture.tensor("/kernel"), tolerance: 1e-5, "kernel")
        expectClose(try #require(out.extra[DUQHead.Output.inputGradient]), try fixture.tensor("/input_gradient"), tolerance: 1e-5,
                    "analytic d(ΣK)/df against autograd.grad")
        expectClose(try head.anomalyScore(out, seg), try fixture.tensor("/score"), tolerance: 1e-5, "1 - max K")
        #expect(throws: HeadOutputError.missing(head: "duq", key: "duq.kernel", present: ["duq.embeddings"]),
                "an output without its kernels is an error, never a map of zeros (AUROC 50 in a report)") {
            _ = try head.anomalyScore(HeadOutput(extra: ["duq.embeddings": seg.logits]), seg)
        }
        head.eval()
        #expect(head.forward(seg).extra[DUQHead.Output.inputGradient] == nil, "no penalty gradient in eval mode")
    }

    @Test("the gradient penalty and its gradient (double backward in PyTorch) agree to 1e-5, both norms",
          arguments: [("penalty_squared", "duq.gradient_penalty"), ("penalty_euclidean", "{type: duq.gradient_penalty, norm: euclidean}")])
    func penalty(_ name: String, _ yaml: String) throws {
        let fixture = try Fixture("duq.h5")
        let head = try fixtureHead(fixture)
        let features = try fixture.tensor("/features").requiringGrad()
        let loss = try term(yaml), labelled = try batch(fixture)
        let value = try loss(labelled, segmenterOutput(features), head.forward(segmenterOutput(features)))
        expectClose(value, try fixture.tensor("/" + name), tolerance: 1e-5, name)
        value.backward()
        expectClose(try #require(head.weight.grad), try fixture.tensor("/\(name)_grad_W"), tolerance: 1e-5, name + " d/dW")
        expectClose(try #require(features.grad), try fixture.tensor("/\(name)_grad_features"), tolerance: 1e-5, name + " d/df")
    }

    @Test("the binary cross-entropy on nearest-downsampled labels and its gradient agree to 1e-5")
    func binaryCrossEntropy() throws {
        let fixture = try Fixture("duq.h5")
        let head = try fixtureHead(fixture)
        let seg = segmenterOutput(try fixture.tensor("/features"))
        let loss = try term("duq.bce"), labelled = try batch(fixture)
        let value = try loss(labelled, seg, head.forward(seg))
        expectClose(value, try fixture.tensor("/bce"), tolerance: 1e-5, "bce")
        value.backward()
        expectClose(try #require(head.weight.grad), try fixture.tensor("/bce_grad_W"), tolerance: 1e-5, "bce d/dW")
    }

    @Test("the centroid moving average after a step agrees to 1e-5; m and N save as buffers")
    func centroidUpdate() throws {
        let fixture = try Fixture("duq.h5")
        let head = try fixtureHead(fixture)
        let seg = segmenterOutput(try fixture.tensor("/features"))
        try head.update(after: try batch(fixture), output: head.forward(seg))
        let state = head.stateDict()
        #expect(state.keys == ["W", "m", "N"])
        expectClose(try #require(state["m"]), try fixture.tensor("/m_updated"), tolerance: 1e-5, "m")
        expectClose(try #require(state["N"]), try fixture.tensor("/N_updated"), tolerance: 1e-5, "N")
    }

    @Test("losses without the duq head's outputs, and bad options, are errors naming the term or key")
    func errors() throws {
        let fixture = try Fixture("duq.h5")
        let seg = segmenterOutput(try fixture.tensor("/features")), labelled = try batch(fixture)
        for yaml in ["duq.bce", "duq.gradient_penalty"] {
            let loss = try term(yaml)
            #expect(throws: LossError.self) { try loss(labelled, seg, HeadOutput()) }
        }
        #expect(throws: RecipeError.self) { try term("{type: duq.gradient_penalty, norm: l1}") }
        let registry = try Registry(plugins: [DUQPlugin.self])
        for bad in ["{type: duq, gamma: 1}", "{type: duq, length_scale: 0}", "{type: duq, embedding: 0}"] {
            #expect(throws: RecipeError.self, "\(bad)") { try registry.heads.check(try RecipeNode(yaml: bad), registry: registry) }
        }
    }
}
