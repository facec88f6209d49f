import SceneData
import TensorCore

/// Which pixels of a batch's `[N, H, W]` labels a loss term reads, as a `{0, 1}` mask of the
/// same shape and its count. Labels follow the training convention: 254 pasted outlier,
/// 255 void, anything else an inlier class.
public struct PixelMask {
    /// 1 where selected.
    public let mask: Tensor
    /// Selected pixels.
    public let count: Int

    /// Pixels that are neither void (255) nor pasted outlier (254).
    public static func inliers(_ labels: IndexTensor) -> PixelMask { PixelMask(labels) { $0 != 254 && $0 != 255 } }
    /// Pasted outlier pixels (254).
    public static func outliers(_ labels: IndexTensor) -> PixelMask { PixelMask(labels) { $0 == 254 } }

    private init(_ labels: IndexTensor, _ selected: (Int32) -> Bool) {
        self.init(shape: labels.shape, labels.values.map { selected($0) ? Float(1) : 0 })
    }

    private init(shape: [Int], _ values: [Float]) {
        mask = Tensor(shape: shape, values)
        count = values.reduce(0) { $0 + Int($1) }
    }

    /// The selection restricted to the images `keep` says yes to (by batch index).
    public func keepingImages(_ keep: (Int) -> Bool) -> PixelMask {
        let plane = mask.shape.dropFirst().reduce(1, *)
        var values = mask.scalars
        for i in 0..<mask.shape[0] where !keep(i) { values.replaceSubrange((i * plane)..<((i + 1) * plane), with: repeatElement(0, count: plane)) }
        return PixelMask(shape: mask.shape, values)
    }

    /// The mean of `map` (`[N, H, W]`) over the selected pixels; 0 when none is.
    public func mean(_ map: Tensor) -> Tensor { count == 0 ? Tensor.zeros([]) : (map * mask).sum() / Float(count) }
}
