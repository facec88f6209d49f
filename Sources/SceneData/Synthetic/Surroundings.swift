import TensorCore

/// What an object's surroundings look like, read from an image and its labels: the colour a
/// camouflaged anomaly takes, whether it is drawn into a scene (``Canvas/inlierColor(around:radius:using:)``)
/// or pasted into one (``OutlierExposure/paste(_:into:labels:resampling:camouflage:using:)``).
enum Surroundings {
    /// The mean colour of up to 16 pixels of one inlier class around `center`, within
    /// `radius` pixels, the class chosen by a random inlier pixel there (sky excluded: nothing
    /// stands in it). Nil when 32 draws find no inlier pixel in the window.
    static func inlierColor(image: RGBImage, labels: LabelMap, around center: SIMD2<Float>, radius: Float,
                            using rng: inout SeededGenerator) -> Color? {
        let (width, height) = (labels.width, labels.height)
        let r = max(4, Int(radius))
        let cx = Int(min(max(center.x, 0), Float(width - 1))), cy = Int(min(max(center.y, 0), Float(height - 1)))
        let xs = max(0, cx - r)...min(width - 1, cx + r), ys = max(0, cy - r)...min(height - 1, cy + r)
        func randomPixel() -> Int { rng.int(ys) * width + rng.int(xs) }
        func colour(_ i: Int) -> Color {
            Color(Float(image.pixels[3 * i]), Float(image.pixels[3 * i + 1]), Float(image.pixels[3 * i + 2])) / 255
        }
        var found: Int?
        for _ in 0..<32 where found == nil {
            let i = randomPixel()
            if labels.values[i] <= 18 && labels.values[i] != TrainId.sky.rawValue { found = i }
        }
        guard let first = found else { return nil }
        let label = labels.values[first]
        var sum = colour(first), count: Float = 1
        for _ in 0..<64 where count < 16 {
            let i = randomPixel()
            if labels.values[i] == label { sum += colour(i); count += 1 }
        }
        return sum / count
    }
}
