import Testing
import TensorCore

/// The largest absolute difference divided by the largest reference magnitude (floored at
/// `floor`), the error measure of the fixture tests: "agrees to 1e-4" means this is ≤ 1e-4.
///
/// A normalised max error rather than an elementwise relative error, because elementwise
/// relative errors blow up on reference values near zero, which sums and convolutions
/// produce by cancellation; scaling by the largest magnitude keeps the check meaningful
/// for every element.
public func normalizedMaxError(_ actual: [Float], _ expected: [Float], floor: Float = 1e-6) -> Float {
    precondition(actual.count == expected.count, "normalizedMaxError: \(actual.count) vs \(expected.count) elements")
    var worst: Float = 0, scale: Float = floor
    for (a, e) in zip(actual, expected) {
        if a.isNaN != e.isNaN { return .infinity }
        if a.isNaN { continue }
        if a.isInfinite || e.isInfinite {
            if a != e { return .infinity }
            continue
        }
        worst = max(worst, abs(a - e))
        scale = max(scale, abs(e))
    }
    return worst / scale
}

/// Expects `actual` to match `expected` in shape and to within `tolerance` normalised max
/// error (see ``normalizedMaxError(_:_:floor:)``), recording one issue naming `what`.
public func expectClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-4, _ what: String = "",
                        sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.shape == expected.shape else {
        Issue.record("\(what): shape \(actual.shape) != expected \(expected.shape)", sourceLocation: sourceLocation)
        return
    }
    let error = normalizedMaxError(actual.scalars, expected.scalars)
    #expect(error <= tolerance, "\(what): normalised max error \(error) > \(tolerance)", sourceLocation: sourceLocation)
}
