import Foundation
import ModelZoo

/// How far a segmenter's classifier lets a head push every class logit down at once.
///
/// A head that re-classifies modified decoder features through the frozen classifier (RPL's
/// `final(dec0 + residual)`) can only reach the feature vectors `h` the classifier's last
/// layer reads. After a ReLU those are `h ≥ 0`, and the logits are `W h` (a bias does not
/// grow with `h` and is left out). The margin
///
///     max over h ≥ 0, Σh = 1 of min_c −(W h)_c
///
/// (the value of the matrix game `−W`, ``MatrixGame``) is positive exactly when some
/// non-negative feature lowers every logit together; then scaling it by `log C / margin`
/// brings every logit to `−log C` or below, so `logsumexp ≤ 0` — RPL's positive-energy
/// target. At or below zero the target is unreachable and the outlier term stalls near
/// `log C`; a small positive margin reaches it only with features far larger than the
/// classifier ever saw.
public struct ClassifierMargin: Sendable {
    /// The classifier's last layer the margin describes.
    public var key: String
    /// Classes `C` and input features `D`.
    public var classes: Int, inputs: Int
    /// The margin.
    public var value: Double
    /// The margin over the largest absolute weight: scale-free, in [−1, 1].
    public var relative: Double
    /// The optimal feature direction (`D` non-negative entries summing to 1).
    public var direction: [Double]

    /// Below this relative margin a positive margin counts as small: reaching `logsumexp ≤ 0`
    /// then takes features so large that the classifier's largest weight alone would move a
    /// logit by `log C / 0.05` (59 for 19 classes), far outside anything it was trained on.
    /// For scale: a Gaussian 19×256 matrix sits near 0.1, the bundled quick-start classifier
    /// (19×32) at −0.014 (`scripts/fixtures/margin.py`).
    public static let smallRelativeMargin = 0.05

    /// The margin of `readout`'s weight; `keyPrefix` goes before its key (`segmenter.`).
    public init(_ readout: ClassifierReadout, keyPrefix: String = "") {
        let (classes, inputs) = (readout.weight.shape[0], readout.weight.shape[1])
        let w = readout.weight.scalars.map(Double.init)
        let payoff = (0..<classes).map { c in (0..<inputs).map { -w[c * inputs + $0] } }
        let (value, direction) = MatrixGame(payoff: payoff).solve()
        let largest = w.map(abs).max() ?? 0
        (key, self.classes, self.inputs, self.value, self.direction) = (keyPrefix + readout.key, classes, inputs, value, direction)
        relative = largest > 0 ? value / largest : 0
    }

    /// Whether any non-negative feature lowers every logit (the margin is positive).
    public var isPositive: Bool { value > 0 }
    /// Whether the margin is positive but below ``smallRelativeMargin``.
    public var isSmall: Bool { isPositive && relative < Self.smallRelativeMargin }

    /// The feature mass `Σh` along ``direction`` at which every logit is at most `−log C`,
    /// so `logsumexp ≤ 0`; nil when the margin is not positive.
    public var massForNonPositiveLogSumExp: Double? { isPositive ? log(Double(classes)) / value : nil }

    /// One line: the layer, the margin and what it means for the positive-energy target.
    public var summary: String { "classifier margin of \(layer): \(measured): \(verdict)" }

    /// The layer and its shape: `segmenter.final.6.weight (19×32)`.
    public var layer: String { "\(key) (\(classes)×\(inputs))" }

    /// The margin and the relative margin, signed.
    public var measured: String { String(format: "%+.4f (relative %+.3f)", value, relative) }

    /// What the margin means for the positive-energy target.
    public var verdict: String {
        guard let mass = massForNonPositiveLogSumExp else {
            return "no non-negative feature lowers every logit at once, so logsumexp ≤ 0 is unreachable"
        }
        return "logsumexp ≤ 0 needs features of total mass \(String(format: "%.3g", mass)) along the best direction"
            + (isSmall ? " (small: below \(Self.smallRelativeMargin) relative)" : "")
    }
}
