import SceneData
import TensorCore

/// A non-learned anomaly score that reads only the image, fitted to the inlier training
/// images (``ColourRarityScore``). It is the floor of every results table: a method that
/// does not beat it has learned nothing a colour histogram does not know.
///
/// Recipes list baselines under `eval.baselines`; `pixelood eval` fits each on `data.train`
/// before it scores the test sets.
public protocol ImageBaseline: Sendable {
    /// Adds one training image to what the baseline has seen.
    mutating func fit(_ image: RGBImage)
    /// Scores every pixel of `image`, higher = more anomalous. Shape: `[1, H, W]`.
    func score(image: RGBImage) -> Tensor
}

extension ImageBaseline {
    /// Fits to every image of `images` (the label maps are not read), calling `progress`
    /// with the count done after each.
    /// - Throws: ``ImageIOError`` for an image that cannot be read.
    public mutating func fit(_ images: LabelledImages, progress: (Int) -> Void = { _ in }) throws {
        for index in 0..<images.count {
            fit(try ImageIO.readRGB(images.samples[index].image))
            progress(index + 1)
        }
    }
}
