import TensorCore

/// Outlier exposure: paste an outlier object, rescaled, at a random position into an
/// inlier crop and relabel its pixels 254: `x_oe = (1 − m)·x_in + m·x_out`.
public enum OutlierExposure {
    /// The label of pasted outlier pixels.
    public static let outlierLabel: UInt8 = 254
    /// Scale factors, drawn uniformly from this list (0.5 twice), as the reference RPL code.
    public static let scales: [Float] = [0.25, 0.5, 0.5, 0.75, 0.1, 0.125]

    /// Pastes `object` into `image`/`labels` (same size) and returns the scale used.
    /// The object is resized by the drawn factor (bilinear image, nearest mask) and placed
    /// at a uniform position where it fits.
    @discardableResult
    public static func paste(_ object: OutlierObject, into image: inout RGBImage, labels: inout LabelMap,
                             using rng: inout SeededGenerator) -> Float {
        precondition(image.width == labels.width && image.height == labels.height, "OutlierExposure.paste: image and labels differ in size")
        let scale = rng.pick(scales)
        let w = max(1, min(image.width, Int(Float(object.image.width) * scale)))
        let h = max(1, min(image.height, Int(Float(object.image.height) * scale)))
        let x0 = rng.int(0...(image.width - w)), y0 = rng.int(0...(image.height - h))
        for y in 0..<h {
            let sy = min(object.image.height - 1, Int((Float(y) + 0.5) / scale))
            for x in 0..<w {
                let sx = min(object.image.width - 1, Int((Float(x) + 0.5) / scale))
                guard object.mask[sy * object.image.width + sx] else { continue }
                let d = ((y0 + y) * image.width + x0 + x) * 3, s = (sy * object.image.width + sx) * 3
                for ch in 0..<3 { image.pixels[d + ch] = object.image.pixels[s + ch] }
                labels.values[(y0 + y) * image.width + x0 + x] = outlierLabel
            }
        }
        return scale
    }
}
