import Foundation
import Testing
import HDF5Store
import OoDKit
import SceneData
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

    @Test("the fused statistics pass (LogitScoring) gives every score PyTorch's values to 1e-5", arguments: 0..<cases.count)
    func fused(_ index: Int) throws {
        let (name, score) = Self.cases[index]
        let fixture = try Fixture("scores.h5")
        let logits = try fixture.tensor("/logits")
        let maps = GradMode.noGrad { LogitScoring([MaxLogitScore(), score]).callAsFunction(logits: logits) }
        #expect(maps.count == 2 && maps[1].shape == [2, 9, 11])
        expectClose(maps[1], try fixture.tensor("/" + name), tolerance: 1e-5, "fused " + name)
        expectClose(maps[0], try fixture.tensor("/max_logit"), tolerance: 1e-5, "fused max_logit beside " + name)
    }

    @Test("softmax statistics agree with logsumexp, max and the entropy score on underflowing, tied and infinite logits")
    func statisticsEdges() {
        // [N=1, K=3, H=1, W=3]: columns (-200, 1, 1) (a probability that underflows to 0),
        // (2, 2, 2) (a tie), (0, 0, 80) (one class saturates).
        let t = Tensor(shape: [1, 3, 1, 3], [-200, 2, 0, 1, 2, 0, 1, 2, 80])
        let stats = t.softmaxStatistics(axis: 1)
        GradMode.noGrad {
            expectClose(stats.logSumExp, t.logsumexp(axis: 1), tolerance: 1e-5, "logsumexp")
            expectClose(stats.entropy, EntropyScore().score(logits: t), tolerance: 1e-5, "entropy")
            expectClose(stats.max, t.max(axis: 1), tolerance: 0, "max")
            let infinite = Tensor(shape: [1, 2, 1, 1], [-.infinity, 3])
            expectClose(infinite.softmaxStatistics(axis: 1).logSumExp, infinite.logsumexp(axis: 1), tolerance: 1e-6, "-inf class")
        }
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

@Suite("The colour-rarity baseline against numpy")
struct ColourRarityFixtureTests {
    /// The training images and the test image of the fixture.
    static func images(_ fixture: Fixture) throws -> (train: [RGBImage], test: RGBImage) {
        let (shape, train) = try fixture.file.readUInt8("/colour_train")
        let (h, w) = (shape[1], shape[2])
        let images = (0..<shape[0]).map { RGBImage(width: w, height: h, pixels: Array(train[($0 * h * w * 3)..<(($0 + 1) * h * w * 3)])) }
        let (testShape, test) = try fixture.file.readUInt8("/colour_test")
        return (images, RGBImage(width: testShape[1], height: testShape[0], pixels: test))
    }

    @Test("-log frequency of quantised colours agrees with scripts/fixtures/scores.py to 1e-5",
          arguments: [("colour_rarity_b4", 4, 1.0), ("colour_rarity_b8_a05", 8, 0.5)])
    func agrees(_ name: String, _ bins: Int, _ pseudoCount: Double) throws {
        let fixture = try Fixture("scores.h5")
        let (train, test) = try Self.images(fixture)
        var score = ColourRarityScore(bins: bins, pseudoCount: pseudoCount)
        for image in train { score.fit(image) }
        #expect(score.pixels == train.count * train[0].width * train[0].height)
        let result = score.score(image: test)
        #expect(result.shape == [1, test.height, test.width])
        expectClose(result, try fixture.tensor("/" + name), tolerance: 1e-5, name)
    }

    @Test("a colour seen in training scores below the unseen-colour ceiling, and the blur keeps the map's shape")
    func direction() throws {
        let (train, test) = try Self.images(try Fixture("scores.h5"))
        var score = ColourRarityScore(bins: 4)
        for image in train { score.fit(image) }
        let ceiling = Float(-log(1 / Double(score.pixels + 4 * 4 * 4)))
        let seen = score.score(image: RGBImage(width: 1, height: 1, pixels: Array(train[0].pixels.prefix(3)))).scalars[0]
        #expect(seen < ceiling - 1)
        #expect(score.score(image: test).scalars.allSatisfy { $0 <= ceiling + 1e-5 })
        score.smoothing = GaussianSmoothing(kernel: 3, sigma: 1)
        #expect(score.score(image: test).shape == [1, test.height, test.width])
    }
}
