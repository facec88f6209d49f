import Foundation
import Testing
import ModelZoo
import OoDKit
import TensorCore
import PixelOoDTestSupport

@Suite("Classifier margin: the matrix game's value against SciPy's linear programming")
struct ClassifierMarginTests {
    static let cases = ["random_19x32", "random_19x256", "random_3x7", "rock_paper_scissors", "degenerate", "positive",
                        "single_row", "single_column", "bundled_quickstart",
                        "eighth_width_quickstart"]

    @Test("the margin equals scripts/fixtures/margin.py's linprog optimum, and the direction attains it", arguments: cases)
    func agreesWithSciPy(_ name: String) throws {
        let fixture = try Fixture("margin.h5")
        let weight = try fixture.tensor("/\(name)/weight")
        let expected = Double(try fixture.tensor("/\(name)/margin").item)
        let margin = ClassifierMargin(ClassifierReadout(key: name, weight: weight, readsNonNegativeFeatures: true))
        #expect(abs(margin.value - expected) < 1e-6, "\(name): \(margin.value) against SciPy's \(expected)")
        // The returned direction is a feasible point whose worst logit is the margin.
        let (c, d) = (weight.shape[0], weight.shape[1])
        let w = weight.scalars.map(Double.init)
        #expect(margin.direction.count == d && margin.direction.allSatisfy { $0 >= 0 })
        #expect(abs(margin.direction.reduce(0, +) - 1) < 1e-9)
        let worst = (0..<c).map { row in -(0..<d).reduce(0.0) { $0 + w[row * d + $1] * margin.direction[$1] } }.min()!
        #expect(abs(worst - margin.value) < 1e-9, "\(name): the direction attains \(worst), not \(margin.value)")
    }

    @Test("the bundled quick-start segmenter's classifier can lower every logit (+0.0107); the one bundled before it cannot (−0.0127)")
    func bundledMargins() throws {
        let bundled = try Fixture("margin.h5").tensor("/bundled_quickstart/weight")
        let positive = ClassifierMargin(ClassifierReadout(key: "final.6.weight", weight: bundled, readsNonNegativeFeatures: true))
        #expect(positive.isPositive && abs(positive.value - 0.0107) < 5e-5 && positive.massForNonPositiveLogSumExp != nil)
        let weight = try Fixture("margin.h5").tensor("/eighth_width_quickstart/weight")
        let margin = ClassifierMargin(ClassifierReadout(key: "final.6.weight", weight: weight, readsNonNegativeFeatures: true))
        #expect(!margin.isPositive && margin.massForNonPositiveLogSumExp == nil)
        #expect(margin.summary.contains("unreachable"))
    }

    @Test("a positive margin gives the feature mass that brings logsumexp to zero along its direction")
    func massReachesZeroEnergy() throws {
        let weight = try Fixture("margin.h5").tensor("/positive/weight")
        let margin = ClassifierMargin(ClassifierReadout(key: "w", weight: weight, readsNonNegativeFeatures: true))
        let mass = try #require(margin.massForNonPositiveLogSumExp)
        let (c, d) = (weight.shape[0], weight.shape[1])
        let w = weight.scalars.map(Double.init)
        let logits = (0..<c).map { row in (0..<d).reduce(0.0) { $0 + w[row * d + $1] * margin.direction[$1] * mass } }
        let top = logits.max()!
        let logSumExp = top + log(logits.reduce(0) { $0 + exp($1 - top) })
        #expect(logSumExp <= 1e-9, "logsumexp \(logSumExp) at mass \(mass)")
    }

    @Test("the DeepLabV3+ readout is final.6's class rows; PEBAL's abstention row stays out")
    func deepLabReadout() throws {
        var rng = SeededGenerator(seed: 1)
        let backbone = ResNet(depth: .resnet50, outputStride: .eight, widthDivisor: 16, using: &rng)
        let model = try DeepLabV3Plus(backbone: backbone, numClasses: 5, asppChannels: 16, lowLevelChannels: 8,
                                      abstention: true, using: &rng)
        let readout = try #require(model.classifierReadout)
        #expect(readout.key == "final.6.weight" && readout.weight.shape == [5, 16] && readout.bias == nil && readout.readsNonNegativeFeatures)
        let full = try #require(model.stateDict()["final.6.weight"])
        #expect(readout.weight.scalars == Array(full.scalars.prefix(5 * 16)))
    }
}
