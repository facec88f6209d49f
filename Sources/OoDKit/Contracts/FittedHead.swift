import ModelZoo
import SceneData

/// An OoD head whose state is statistics fitted in one pass over the training images under
/// the frozen segmenter — SML's per-class max-logit statistics, Mahalanobis' class Gaussians
/// — rather than weights trained by gradient.
///
/// A stage with `trains: fit` runs the pass (``HeadFitting``): the head sees every image of
/// `data.train` (whole images at native resolution, backbone maps from the feature store),
/// then turns its sums into buffers, which save under `head.` in the stage's `final.h5` and
/// load, inspect and evaluate like weights.
public protocol FittedHead: OoDHead {
    /// Forgets anything accumulated, so a pass starts from nothing.
    func beginFitting()
    /// Adds one training image: the segmenter's output (logits at the image's size) and the
    /// image's labels (0…K−1 inlier classes, 254 outlier, 255 void).
    /// - Throws: when the output does not fit the head (a class count that differs).
    func accumulate(_ seg: SegmenterOutput, labels: LabelMap) throws
    /// Turns the accumulated sums into the head's buffers.
    /// - Throws: when the images seen cannot determine them (no pixel at all, a singular
    ///   covariance), naming what is missing.
    func finishFitting() throws
}

/// A fitted head's pass that cannot produce its statistics.
public struct FittingError: Error, CustomStringConvertible, Equatable {
    /// The head (`sml`, `mahalanobis`).
    public var head: String
    /// What went wrong.
    public var reason: String

    /// An error of `head`.
    public init(head: String, _ reason: String) { (self.head, self.reason) = (head, reason) }

    public var description: String { "fitting head '\(head)': \(reason)" }
}
