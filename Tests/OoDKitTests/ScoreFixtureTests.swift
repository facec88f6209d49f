import Testing
import OoDKit
import TensorCore
import PixelOoDTestSupport

@Suite("The four logit scores and the Gaussian blur against PyTorch")
struct ScoreFixtureTests {
    static let cases: [(String, any AnomalyScore)] = [
        ("max_softmax", MaxSoftmaxScore()), ("max_logit", MaxLogitScore()), ("entropy", EntropyScore()),
        ("entropy_normalized", EntropyScore(normalized: true)), ("energy", EnergyScore()),
        ("energy_t2", EnergyScore(temperature: 2)),
        ("energy_blur", EnergyScore(smoothing: GaussianSmoothing(kernel: 7, sigma: 1))),
        ("energy_blur_k5s2", EnergyScore(smoothing: GaussianSmoothing(kernel: 5, sigma: 2))),
    ]

    @Test("scores agree with scripts/fixtures/scores.py to 1e-5", arguments: 0..<cases.count)
    func agrees(_ index: Int) throws {
        let (name, score) = Self.cases[index]
        let fixture = try Fixture("scores.h5")
        let logits = try fixture.tensor("/logits")
        let result = GradMode.noGrad { score.score(logits: logits) }
        #expect(result.shape == [2, 9, 11])
        expectClose(result, try fixture.tensor("/" + name), tolerance: 1e-5, name)
    }

    @Test("the blurred energy's gradient agrees with PyTorch's and with finite differences")
    func blurGradient() throws {
        let fixture = try Fixture("scores.h5")
        let logits = try fixture.tensor("/logits").requiringGrad()
        let weight = try fixture.tensor("/blur_weight")
        let score = EnergyScore(smoothing: GaussianSmoothing())
        (score.score(logits: logits) * weight).sum().backward()
        expectClose(try #require(logits.grad), try fixture.tensor("/energy_blur_grad"), tolerance: 1e-5, "blur gradient")
        var rng = SeededGenerator(seed: 3)
        let small = Tensor.normal([1, 3, 5, 6], using: &rng)
        gradientCheck([small], "gaussian blur of energy") { score.score(logits: $0[0]) }
    }

    @Test("reflect padding mirrors without repeating the edge, also on axes shorter than the pad")
    func reflect() {
        let blur = GaussianSmoothing(kernel: 7, sigma: 1)
        let flat = GradMode.noGrad { blur(Tensor.full([1, 2, 3], 4)) }
        #expect(flat.scalars.allSatisfy { abs($0 - 4) < 1e-5 }, "a constant map stays constant on a 2x3 map")
        #expect(abs(blur.weights.reduce(0, +) - 1) < 1e-6)
    }

    @Test("every score is higher where the logits are flat (anomalous) than where one class dominates")
    func direction() {
        // [N=1, K=4, H=1, W=2]: pixel 0 has one dominant class, pixel 1 flat logits.
        let t = Tensor(shape: [1, 4, 1, 2], [12, 0, 0, 0, 0, 0, 0, 0])
        for (name, score) in Self.cases.prefix(6) {
            let s = GradMode.noGrad { score.score(logits: t) }.scalars
            #expect(s[1] > s[0], "\(name): flat \(s[1]) should exceed peaked \(s[0])")
        }
    }
}
