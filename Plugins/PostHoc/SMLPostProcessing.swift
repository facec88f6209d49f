import OoDKit

/// SML's post-processing of one image's standardized max logits (Jung et al., ICCV 2021,
/// `BoundarySuppressionWithSmoothing` in the official code), on plain arrays: scoring only,
/// no gradient.
///
/// 1. **Boundary suppression.** Boundary = pixels where the prediction's 3x3 erosion and its
///    dilation by the 4-neighbour cross differ (neighbours outside the image ignored). Per
///    iteration `i` the boundary is expanded by an L1 diamond of radius
///    `width − (width/iterations)·i − 1` (radius 0 in the last iteration), and each expanded-
///    boundary pixel takes the mean of the 3x3 non-boundary values around it (replication
///    padding); a pixel with none keeps its value.
/// 2. **Dilated smoothing.** A `k×k` Gaussian (σ in kernel cells, normalised) with dilation
///    `d` and replication padding `d·k/2`, applied separably (the kernel is a product).
struct SMLPostProcessing: Sendable {
    /// The first iteration's expansion width; nil skips boundary suppression.
    var boundaryWidth: Int?
    /// Suppression iterations.
    var iterations: Int
    /// The dilated Gaussian; nil skips smoothing.
    var smoothing: (kernel: Int, dilation: Int, sigma: Float)?

    /// Post-processes `values` (`height·width`, row-major) given the predicted classes.
    func callAsFunction(_ values: [Float], prediction: [Int32], height: Int, width: Int) -> [Float] {
        var out = values
        if let boundaryWidth {
            let boundary = Self.boundaries(prediction, height: height, width: width)
            let step = boundaryWidth / iterations
            for iteration in 0..<iterations {
                let radius = boundaryWidth == 0 || iteration == iterations - 1 ? 0 : boundaryWidth - step * iteration - 1
                let expanded = Self.dilate(boundary, radius: radius, height: height, width: width)
                out = Self.suppress(out, boundary: expanded, height: height, width: width)
            }
        }
        if let smoothing { out = Self.smooth(out, smoothing, height: height, width: width) }
        return out
    }

    /// Where the cross dilation and the 3x3 erosion of the prediction differ.
    static func boundaries(_ prediction: [Int32], height: Int, width: Int) -> [Bool] {
        var result = [Bool](repeating: false, count: height * width)
        for y in 0..<height {
            for x in 0..<width {
                let centre = prediction[y * width + x]
                var maximum = centre, minimum = centre
                for dy in -1...1 {
                    let yy = y + dy
                    guard yy >= 0 && yy < height else { continue }
                    for dx in -1...1 {
                        let xx = x + dx
                        guard xx >= 0 && xx < width else { continue }
                        let value = prediction[yy * width + xx]
                        minimum = min(minimum, value)
                        if dx == 0 || dy == 0 { maximum = max(maximum, value) }
                    }
                }
                result[y * width + x] = maximum != minimum
            }
        }
        return result
    }

    /// The mask dilated by the L1 diamond of `radius`.
    static func dilate(_ mask: [Bool], radius: Int, height: Int, width: Int) -> [Bool] {
        guard radius > 0 else { return mask }
        var result = mask
        for y in 0..<height {
            for x in 0..<width where mask[y * width + x] {
                for dy in -radius...radius {
                    let yy = y + dy
                    guard yy >= 0 && yy < height else { continue }
                    let reach = radius - abs(dy)
                    for xx in max(0, x - reach)...min(width - 1, x + reach) { result[yy * width + xx] = true }
                }
            }
        }
        return result
    }

    /// Boundary pixels replaced by the mean of their 3x3 non-boundary neighbours (replication padding).
    static func suppress(_ values: [Float], boundary: [Bool], height: Int, width: Int) -> [Float] {
        var result = values
        for y in 0..<height {
            for x in 0..<width where boundary[y * width + x] {
                var sum: Float = 0, count = 0
                for dy in -1...1 {
                    let yy = min(max(y + dy, 0), height - 1)
                    for dx in -1...1 {
                        let index = yy * width + min(max(x + dx, 0), width - 1)
                        if !boundary[index] { sum += values[index]; count += 1 }
                    }
                }
                if count > 0 { result[y * width + x] = sum / Float(count) }
            }
        }
        return result
    }

    /// The separable dilated Gaussian with replication padding.
    static func smooth(_ values: [Float], _ s: (kernel: Int, dilation: Int, sigma: Float), height: Int, width: Int) -> [Float] {
        let half = s.kernel / 2
        let weights = GaussianSmoothing(kernel: s.kernel, sigma: s.sigma).weights
        var rows = [Float](repeating: 0, count: values.count)
        for y in 0..<height {
            for x in 0..<width {
                var sum: Float = 0
                for (k, weight) in weights.enumerated() {
                    sum += weight * values[y * width + min(max(x + (k - half) * s.dilation, 0), width - 1)]
                }
                rows[y * width + x] = sum
            }
        }
        var result = rows
        for y in 0..<height {
            for x in 0..<width {
                var sum: Float = 0
                for (k, weight) in weights.enumerated() {
                    sum += weight * rows[min(max(y + (k - half) * s.dilation, 0), height - 1) * width + x]
                }
                result[y * width + x] = sum
            }
        }
        return result
    }
}
