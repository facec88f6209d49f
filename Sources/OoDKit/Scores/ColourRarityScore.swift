import Foundation
import SceneData
import TensorCore

/// How rare a pixel's colour is in the training images: `−log p(c)`, with `p` the
/// frequency of the pixel's quantised colour (each of R, G, B cut into `bins` equal levels,
/// level `⌊v · bins / 256⌋`) over every training pixel, plus `pseudoCount` per colour so an
/// unseen colour scores finitely. Registered as the baseline `colour_rarity`.
public struct ColourRarityScore: ImageBaseline {
    /// Levels per channel (`bins³` colours).
    public let bins: Int
    /// Laplace pseudo-count added to every colour's count.
    public let pseudoCount: Double
    /// An optional blur of the score map.
    public var smoothing: GaussianSmoothing?
    /// Training pixels per quantised colour.
    private var counts: [Int]
    /// Training pixels seen.
    public private(set) var pixels = 0

    /// An unfitted score (every colour equally rare until ``fit(_:)``).
    public init(bins: Int = 16, pseudoCount: Double = 1, smoothing: GaussianSmoothing? = nil) {
        (self.bins, self.pseudoCount, self.smoothing) = (bins, pseudoCount, smoothing)
        counts = Array(repeating: 0, count: bins * bins * bins)
    }

    /// The quantised colour of pixel `i`.
    private func colour(_ pixels: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let r = (Int(pixels[3 * i]) * bins) >> 8, g = (Int(pixels[3 * i + 1]) * bins) >> 8, b = (Int(pixels[3 * i + 2]) * bins) >> 8
        return (r * bins + g) * bins + b
    }

    public mutating func fit(_ image: RGBImage) {
        let count = image.width * image.height
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<count { counts[colour(p, i)] += 1 }
        }
        pixels += count
    }

    public func score(image: RGBImage) -> Tensor {
        let denominator = Double(pixels) + pseudoCount * Double(counts.count)
        let rarity = counts.map { Float(-Foundation.log((Double($0) + pseudoCount) / denominator)) }
        let count = image.width * image.height
        let values = image.pixels.withUnsafeBufferPointer { p in (0..<count).map { rarity[colour(p, $0)] } }
        return smoothed(Tensor(shape: [1, image.height, image.width], values), smoothing)
    }
}
