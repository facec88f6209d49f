import OoDKit
import TensorCore

/// One pass of class-conditional Gaussian fitting with a shared covariance: per-class
/// counts and sums, and the total scatter about the running mean, merged image by image
/// (Chan et al.'s update, in double precision; each image's centred scatter is one float32
/// matrix product).
struct ScatterSums {
    let classes: Int, channels: Int
    private var counts: [Int]
    private var sums: [Double]          // [K, D]
    private var total = 0
    private var mean: [Double]          // [D], all counted pixels
    private var scatter: [Double]       // [D, D] about `mean`

    init(classes: Int, channels: Int) {
        (self.classes, self.channels) = (classes, channels)
        counts = Array(repeating: 0, count: classes)
        sums = Array(repeating: 0, count: classes * channels)
        mean = Array(repeating: 0, count: channels)
        scatter = Array(repeating: 0, count: channels * channels)
    }

    /// Adds one image's map (`[D, P]`, channel-major) whose pixel `p` belongs to
    /// `pixelClasses[p]` (nil: not counted).
    mutating func add(_ values: UnsafeBufferPointer<Float>, pixelClasses: [Int?]) {
        let d = channels, pixels = pixelClasses.count
        let kept = pixelClasses.indices.compactMap { p in pixelClasses[p].map { (pixel: p, label: $0) } }
        guard !kept.isEmpty else { return }
        var imageMean = [Double](repeating: 0, count: d)
        for k in 0..<d {
            var sum = 0.0
            for (p, label) in kept {
                let value = Double(values[k * pixels + p])
                sum += value
                sums[label * d + k] += value
            }
            imageMean[k] = sum / Double(kept.count)
        }
        for (_, label) in kept { counts[label] += 1 }
        var centred = [Float](repeating: 0, count: d * kept.count)
        for k in 0..<d {
            for (column, (p, _)) in kept.enumerated() { centred[k * kept.count + column] = values[k * pixels + p] - Float(imageMean[k]) }
        }
        let c = Tensor(shape: [d, kept.count], centred)
        let imageScatter = c.matmul(c.transposed()).scalars
        let (na, nb) = (Double(total), Double(kept.count)), factor = na * nb / (na + nb)
        let delta = (0..<d).map { imageMean[$0] - mean[$0] }
        for i in 0..<d {
            for j in 0..<d { scatter[i * d + j] += Double(imageScatter[i * d + j]) + delta[i] * delta[j] * factor }
        }
        for k in 0..<d { mean[k] += delta[k] * nb / (na + nb) }
        total += kept.count
    }

    /// The class means (`[K, D]`; a class never seen keeps the pooled mean) and the
    /// whitening `L⁻ᵀ` of the within-class covariance plus `ridge` × its mean diagonal.
    /// - Throws: ``FittingError`` without pixels, or when the covariance is not positive definite.
    func finish(ridge: Double) throws -> (means: [Float], whitening: [Float]) {
        let d = channels
        guard total > classes else { throw FittingError(head: "mahalanobis", "only \(total) labelled pixels seen for \(classes) classes") }
        var classMeans = [Double](repeating: 0, count: classes * d)
        var within = scatter
        for c in 0..<classes {
            for k in 0..<d { classMeans[c * d + k] = counts[c] > 0 ? sums[c * d + k] / Double(counts[c]) : mean[k] }
            // Within = total scatter − Σ_c n_c (μ_c − m)(μ_c − m)ᵀ.
            let n = Double(counts[c])
            guard n > 0 else { continue }
            let offset = (0..<d).map { classMeans[c * d + $0] - mean[$0] }
            for i in 0..<d { for j in 0..<d { within[i * d + j] -= n * offset[i] * offset[j] } }
        }
        var covariance = within.map { $0 / Double(total) }
        let meanDiagonal = (0..<d).reduce(0.0) { $0 + covariance[$1 * d + $1] } / Double(d)
        for k in 0..<d { covariance[k * d + k] += ridge * meanDiagonal }
        guard let lower = Self.cholesky(covariance, size: d) else {
            throw FittingError(head: "mahalanobis", "the covariance is not positive definite; raise 'ridge' (now \(ridge))")
        }
        let inverse = Self.invertLower(lower, size: d)
        // W = L⁻ᵀ: row i, column j of W is (L⁻¹)[j, i].
        var w = [Float](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { w[i * d + j] = Float(inverse[j * d + i]) } }
        return (classMeans.map { Float($0) }, w)
    }

    /// The lower Cholesky factor of a symmetric matrix, or nil when it is not positive definite.
    static func cholesky(_ a: [Double], size d: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: d * d)
        for j in 0..<d {
            var diagonal = a[j * d + j]
            for k in 0..<j { diagonal -= l[j * d + k] * l[j * d + k] }
            guard diagonal > 0 else { return nil }
            let root = diagonal.squareRoot()
            l[j * d + j] = root
            for i in (j + 1)..<max(j + 1, d) {
                var value = a[i * d + j]
                for k in 0..<j { value -= l[i * d + k] * l[j * d + k] }
                l[i * d + j] = value / root
            }
        }
        return l
    }

    /// The inverse of a lower-triangular matrix (forward substitution, column by column).
    static func invertLower(_ l: [Double], size d: Int) -> [Double] {
        var inverse = [Double](repeating: 0, count: d * d)
        for column in 0..<d {
            for i in column..<d {
                var value = i == column ? 1.0 : 0.0
                for k in column..<i { value -= l[i * d + k] * inverse[k * d + column] }
                inverse[i * d + column] = value / l[i * d + i]
            }
        }
        return inverse
    }
}
