import ModelZoo
import NeuralNet
import OoDKit
import SceneData
import TensorCore

/// DUQ for segmentation (van Amersfoort et al., ICML 2020, per pixel): an RBF head on a
/// segmenter map `f` (`D` channels; the decoder input `dec0` by default). Each class `c` maps
/// a pixel's features to an embedding `W_c f` (`W`: `[E, C, D]`, DUQ's layout) and scores it
/// against its centroid `e_c`: `K_c = exp(−‖W_c f − e_c‖² / (2 E σ²))`. The anomaly score is
/// `1 − max_c K_c`, upsampled bilinearly (align corners) to the logits' size.
///
/// The centroids are `e_c = m_c / N_c` with buffers `m` (`[E, C]`) and `N` (`[C]`) kept by an
/// exponential moving average over the training pixels of each class (``update(after:output:)``,
/// labels downsampled to the map by nearest neighbour). In training mode the head also
/// returns the gradient `∂(Σ_c K_c)/∂f` for the two-sided penalty, built analytically from
/// differentiable ops, `−1/(E σ²) Σ_c K_c W_cᵀ (W_c f − e_c)`, so its own gradient (the
/// penalty's, into `W`) is ordinary first-order autograd; `scripts/fixtures/duq.py` checks
/// both against `torch.autograd.grad(create_graph=True)`.
///
/// Outputs (``HeadOutput/extra``): `duq.log_kernel` (`log K`, `[N, C, h, w]`), `duq.kernel`,
/// `duq.embeddings` (`W f`, `[N, E, C, h, w]`) and, training, `duq.input_gradient` (`[N, D, h, w]`).
public final class DUQHead: Module, StepUpdatingHead {
    /// The class count C.
    public let classes: Int
    /// The map's channels D.
    public let channels: Int
    /// The embedding size E.
    public let embedding: Int
    /// The map the head reads.
    public let featureName: String
    let lengthScale: Float, gamma: Float
    /// The per-class projections `[E, C, D]`.
    public let weight: Parameter
    let centroidSums: Buffer, counts: Buffer

    public override var parameters: [(name: String, parameter: Parameter)] { [("W", weight)] }
    public override var buffers: [(name: String, buffer: Buffer)] { [("m", centroidSums), ("N", counts)] }
    public override var typeName: String { "DUQ" }
    public var requiredFeatures: [String] { [featureName] }

    /// A fresh head: `W` and the centroids drawn as DUQ's code draws them (`W`, `m / N` normal
    /// with std 0.05), every `N_c` at `initial_count`.
    public init(_ config: DUQConfig, classes: Int, channels: Int, using rng: inout SeededGenerator) {
        (self.classes, self.channels, embedding, featureName) = (classes, channels, config.embedding, config.features)
        (lengthScale, gamma) = (config.lengthScale, config.gamma)
        weight = Parameter(Tensor.normal([config.embedding, classes, channels], std: 0.05, using: &rng))
        centroidSums = Buffer(Tensor.normal([config.embedding, classes], std: 0.05, using: &rng) * config.initialCount)
        counts = Buffer(Tensor(shape: [classes], [Float](repeating: config.initialCount, count: classes)))
        super.init()
    }

    public func callAsFunction(_ seg: SegmenterOutput, segmenter: any Segmenter) -> HeadOutput { forward(seg) }

    /// The names under which the head passes its tensors in ``HeadOutput/extra`` to its
    /// score, its loss terms and the centroid update, each written once.
    public enum Output {
        /// `log K_c`, `[N, C, H, W]`.
        public static let logKernel = "duq.log_kernel"
        /// `K_c`, `[N, C, H, W]`.
        public static let kernel = "duq.kernel"
        /// `W_c f`, `[N, E, C, H, W]`.
        public static let embeddings = "duq.embeddings"
        /// `d(Σ_c K_c)/df` (training mode only), `[N, D, H, W]`.
        public static let inputGradient = "duq.input_gradient"
    }

    /// The kernels (and, training, the penalty's input gradient) of one segmenter forward.
    public func forward(_ seg: SegmenterOutput) -> HeadOutput {
        guard let map = seg.map(named: featureName) else { return HeadOutput() }
        let (n, h, w) = (map.shape[0], map.shape[2], map.shape[3])
        let (e, c, d) = (embedding, classes, channels)
        let z = map.conv2d(weight: weight.value.reshaped([e * c, d, 1, 1])).reshaped([n, e, c, h, w])
        let centroids = (centroidSums.value / counts.value.reshaped([1, c])).reshaped([1, e, c, 1, 1])
        let difference = z - centroids
        let logKernel = difference.pow(2).mean(axis: 1) * (-1 / (2 * lengthScale * lengthScale))
        let kernel = logKernel.exp()
        var extra = [Output.logKernel: logKernel, Output.kernel: kernel, Output.embeddings: z]
        if isTraining {
            let weighted = (difference * kernel.reshaped([n, 1, c, h, w])).reshaped([n, e * c, h, w])
            let transposed = weight.value.reshaped([e * c, d]).transposed().reshaped([d, e * c, 1, 1])
            extra[Output.inputGradient] = weighted.conv2d(weight: transposed) * (-1 / (Float(e) * lengthScale * lengthScale))
        }
        return HeadOutput(extra: extra)
    }

    /// `1 − max_c K_c`, upsampled. Shape: `[N, H, W]`.
    public func anomalyScore(_ out: HeadOutput, _ seg: SegmenterOutput) throws -> Tensor {
        let size = (seg.logits.shape[2], seg.logits.shape[3])
        return try out.extra(Output.kernel, of: "duq").resizeBilinear(to: size, alignCorners: true).max(axis: 1).affine(scale: -1, shift: 1)
    }

    /// The moving-average step of the centroids on this batch's embeddings:
    /// `N_c ← γ N_c + (1−γ) n_c`, `m_c ← γ m_c + (1−γ) Σ_{pixels of c} W_c f`, over the
    /// pixels labelled `c` (nearest neighbour at the map's size; void and outliers skipped).
    /// - Throws: ``LossError`` (term `duq`) when the output lacks the embeddings.
    public var updatesAcrossShards: Bool { true }

    public func update(after batch: TrainingBatch, output: HeadOutput) throws {
        guard let z = output.extra[Output.embeddings] else { throw LossError(term: "duq", "the head output has no embeddings to update the centroids with") }
        let (n, e, c, h, w) = (z.shape[0], z.shape[1], z.shape[2], z.shape[3], z.shape[4])
        let classOf = NearestResampling.labels(batch.labels, height: h, width: w)
        var sums = [Double](repeating: 0, count: e * c), found = [Double](repeating: 0, count: c)
        z.withUnsafeBufferPointer { values in
            for image in 0..<n {
                for p in 0..<(h * w) {
                    let label = Int(classOf[image * h * w + p])
                    guard label < c else { continue }
                    found[label] += 1
                    for k in 0..<e { sums[k * c + label] += Double(values[((image * e + k) * c + label) * h * w + p]) }
                }
            }
        }
        if let shard = batch.shard {  // the whole batch's sums, the same on every rank
            let whole = shard.ranks.sum(sums + found)
            (sums, found) = (Array(whole[..<sums.count]), Array(whole[sums.count...]))
        }
        let keep = Double(gamma), add = 1 - Double(gamma)
        counts.value = Tensor(shape: [c], zip(counts.value.scalars, found).map { Float(keep * Double($0) + add * $1) })
        centroidSums.value = Tensor(shape: [e, c], zip(centroidSums.value.scalars, sums).map { Float(keep * Double($0) + add * $1) })
    }
}
