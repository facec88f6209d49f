import ModelZoo
import NeuralNet
import OoDKit
import SceneData
import TensorCore

/// Class-conditional Gaussians with one shared covariance on a segmenter map's pixels (Lee
/// et al., NeurIPS 2018, per pixel): score = the smallest squared Mahalanobis distance
/// `min_c (f − μ_c)ᵀ Σ⁻¹ (f − μ_c)`, computed at the map's resolution and upsampled
/// bilinearly (align corners) to the logits' size.
///
/// Fitted in one pass over `data.train` (`trains: fit`) with the ground-truth labels,
/// downsampled to the map by nearest neighbour (PyTorch's `interpolate(mode="nearest")`);
/// void and outlier pixels are skipped. `Σ` is the pooled within-class covariance (divided
/// by the pixel count), plus `ridge` × its mean diagonal on the diagonal. Buffers (under
/// `head.`): `class_means` `[K, D]` and `whitening` `[D, D]` = `L⁻ᵀ` for `Σ = L Lᵀ`, so the
/// distance is `‖(f − μ_c)ᵀ W‖²`.
public final class MahalanobisHead: Module, FittedHead {
    /// The class count.
    public let classes: Int
    /// The map's channels.
    public let channels: Int
    /// The map the Gaussians model.
    public let featureName: String
    let ridge: Double
    let classMeans: Buffer, whitening: Buffer
    private var fit = ScatterSums(classes: 0, channels: 0)

    public override var buffers: [(name: String, buffer: Buffer)] { [("class_means", classMeans), ("whitening", whitening)] }
    public override var typeName: String { "Mahalanobis" }
    public var requiredFeatures: [String] { [featureName] }

    /// An unfitted head (means 0, identity whitening: the smallest Euclidean norm).
    public init(_ config: MahalanobisConfig, classes: Int, channels: Int) {
        (self.classes, self.channels, featureName, ridge) = (classes, channels, config.features, config.ridge)
        classMeans = Buffer(Tensor.zeros([classes, channels]))
        var identity = [Float](repeating: 0, count: channels * channels)
        for d in 0..<channels { identity[d * channels + d] = 1 }
        whitening = Buffer(Tensor(shape: [channels, channels], identity))
        super.init()
    }

    public func callAsFunction(_ seg: SegmenterOutput, segmenter: any Segmenter) -> HeadOutput { HeadOutput(logits: seg.logits) }

    public func beginFitting() { fit = ScatterSums(classes: classes, channels: channels) }

    public func accumulate(_ seg: SegmenterOutput, labels: LabelMap) throws {
        guard let map = seg.map(named: featureName) else { throw FittingError(head: "mahalanobis", "the segmenter output has no '\(featureName)' map") }
        guard map.shape[1] == channels, map.shape[0] == 1 else {
            throw FittingError(head: "mahalanobis", "expected one image of \(channels) channels, got \(map.shape)")
        }
        let (h, w) = (map.shape[2], map.shape[3])
        let classOf = NearestResampling.sourceOffsets(from: (labels.height, labels.width), to: (h, w)).map { labels.values[$0] }
        map.withUnsafeBufferPointer { values in
            fit.add(values, pixelClasses: classOf.map { Int($0) < classes ? Int($0) : nil })
        }
    }

    public func finishFitting() throws {
        let (means, w) = try fit.finish(ridge: ridge)
        classMeans.value = Tensor(shape: [classes, channels], means)
        whitening.value = Tensor(shape: [channels, channels], w)
        fit = ScatterSums(classes: 0, channels: 0)
    }

    /// The smallest squared Mahalanobis distance, upsampled. Shape: `[N, H, W]`.
    public func anomalyScore(_ out: HeadOutput, _ seg: SegmenterOutput) throws -> Tensor {
        let map = try seg.map(named: featureName, for: "head 'mahalanobis'")
        let (n, d, h, w) = (map.shape[0], map.shape[1], map.shape[2], map.shape[3])
        // Pixels as rows, whitened: z = fᵀ W, and the whitened means m = μ W.
        let pixels = map.reshaped([n, d, h * w]).permuted([0, 2, 1]).reshaped([n * h * w, d])
        let z = pixels.matmul(whitening.value), m = classMeans.value.matmul(whitening.value)
        var distances = [Float](repeating: .infinity, count: n * h * w)
        z.withUnsafeBufferPointer { zv in
            m.withUnsafeBufferPointer { mv in
                for p in 0..<(n * h * w) {
                    for c in 0..<classes {
                        var sum: Float = 0
                        for k in 0..<d {
                            let diff = zv[p * d + k] - mv[c * d + k]
                            sum += diff * diff
                        }
                        distances[p] = min(distances[p], sum)
                    }
                }
            }
        }
        let size = (seg.logits.shape[2], seg.logits.shape[3])
        return Tensor(shape: [n, 1, h, w], distances).resizeBilinear(to: size, alignCorners: true).reshaped([n, size.0, size.1])
    }
}
