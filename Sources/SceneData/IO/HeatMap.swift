/// Anomaly maps as pictures: scores through the inferno colour map (dark = inlier, bright
/// yellow = anomalous), alone or blended over the image.
public enum HeatMap {
    /// Inferno's colours at 0, ¼, ½, ¾ and 1, linearly interpolated between.
    static let stops: [(Float, Float, Float)] = [(0, 0, 4), (87, 16, 110), (188, 55, 84), (249, 142, 9), (252, 255, 164)]

    /// The colour of `t` in [0, 1] (clamped; NaN is black).
    public static func colour(_ t: Float) -> (UInt8, UInt8, UInt8) {
        guard !t.isNaN else { return (0, 0, 0) }
        let x = min(max(t, 0), 1) * Float(stops.count - 1)
        let i = min(Int(x), stops.count - 2), f = x - Float(i)
        let (a, b) = (stops[i], stops[i + 1])
        return (UInt8(a.0 + (b.0 - a.0) * f), UInt8(a.1 + (b.1 - a.1) * f), UInt8(a.2 + (b.2 - a.2) * f))
    }

    /// The smallest and largest finite score (0...1 when none is finite or all are equal).
    public static func range(of scores: [Float]) -> ClosedRange<Float> {
        let finite = scores.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), high > low else { return 0...1 }
        return low...high
    }

    /// `scores` (row-major `height·width`) coloured with `range` mapped to [0, 1].
    public static func render(_ scores: [Float], width: Int, height: Int, range: ClosedRange<Float>) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<min(scores.count, width * height) {
            let c = colour(normalized(scores[i], range))
            (pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2]) = c
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The heat map blended over `image`, each pixel's opacity growing with its score (at most
    /// `alpha`), so inliers keep the image and anomalies glow.
    public static func overlay(_ image: RGBImage, _ scores: [Float], range: ClosedRange<Float>, alpha: Float = 0.75) -> RGBImage {
        var out = image
        for i in 0..<min(scores.count, image.width * image.height) {
            let t = normalized(scores[i], range)
            out.blend(pixel: i, with: colour(t), alpha: alpha * t)
        }
        return out
    }

    private static func normalized(_ value: Float, _ range: ClosedRange<Float>) -> Float {
        guard !value.isNaN else { return 0 }
        return min(max((value - range.lowerBound) / max(range.upperBound - range.lowerBound, .leastNormalMagnitude), 0), 1)
    }
}
