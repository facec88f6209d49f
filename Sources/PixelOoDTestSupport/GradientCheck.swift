import Testing
import TensorCore

/// Compares the autograd gradient of `f` with central finite differences, in Float32.
///
/// The scalar checked is `Σ f(inputs) · w` for a fixed random weighting `w`, so every output
/// element contributes. At most `samples` elements of each input are perturbed (spread over
/// the tensor) to keep the cost low. With `step` = 1e-3 the Float32 rounding of inputs and
/// outputs gives differences about 1e-4 relative noise, well inside the default tolerance of 1e-2 on
/// `|analytic − numeric| / max(1, |numeric|)`. Elements whose one-sided slopes differ by
/// more than twice the tolerance sit on a kink (max, relu, clamp, pooling ties) and are
/// skipped, as long as they are a minority; a smaller jump moves the central difference by
/// less than the tolerance, so nothing that matters escapes. Smooth ops' slopes differ by
/// about `step · f''`, far below that.
///
/// - Parameters:
///   - inputs: the inputs; gradients are checked for each.
///   - f: the function under test, built from the inputs.
public func gradientCheck(_ inputs: [Tensor], samples: Int = 24, step: Float = 1e-3, tolerance: Float = 1e-2,
                          _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation,
                          _ f: ([Tensor]) -> Tensor) {
    let leaves = inputs.map { $0.requiringGrad() }
    let output = f(leaves)
    var rng = SeededGenerator(seed: 7)
    let weights = Tensor.uniform(output.shape, low: 0.5, high: 1.5, using: &rng)
    (output * weights).sum().backward()
    func objective(_ values: [Tensor]) -> Double {
        let y = GradMode.noGrad { f(values) }
        return zip(y.scalars, weights.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    let base = objective(inputs)
    for (index, leaf) in leaves.enumerated() {
        guard let analytic = leaf.grad?.scalars else {
            Issue.record("\(what): input \(index) received no gradient", sourceLocation: sourceLocation)
            continue
        }
        let strideElements = max(1, leaf.count / samples)
        var checked = 0, kinks = 0
        for element in stride(from: 0, to: leaf.count, by: strideElements) {
            var plus = inputs, minus = inputs
            plus[index] = perturbed(inputs[index], element, step)
            minus[index] = perturbed(inputs[index], element, -step)
            let (up, down) = (objective(plus), objective(minus))
            let numeric = Float((up - down) / Double(2 * step))
            let right = Float((up - base) / Double(step)), left = Float((base - down) / Double(step))
            if abs(right - left) > 2 * tolerance * max(1, abs(numeric)) {
                kinks += 1
                continue
            }
            checked += 1
            let error = abs(analytic[element] - numeric) / max(1, abs(numeric))
            if error > tolerance {
                Issue.record("\(what): input \(index) element \(element): autograd \(analytic[element]) vs finite difference \(numeric)",
                             sourceLocation: sourceLocation)
                break
            }
        }
        if kinks > checked {
            Issue.record("\(what): input \(index): \(kinks) of \(kinks + checked) sampled elements sit on kinks; use other data",
                         sourceLocation: sourceLocation)
        }
    }
}

private func perturbed(_ t: Tensor, _ element: Int, _ delta: Float) -> Tensor {
    var values = t.scalars
    values[element] += delta
    return Tensor(shape: t.shape, values)
}
