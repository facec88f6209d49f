import TensorCore

/// Outlier exposure: paste an outlier object, rescaled, at a random position into an
/// inlier crop and relabel its pixels 254: `x_oe = (1 − m)·x_in + m·x_out`.
public enum OutlierExposure {
    /// The label of pasted outlier pixels.
    public static let outlierLabel: UInt8 = 254
    /// Scale factors, drawn uniformly from this list (0.5 twice), as the reference RPL code.
    public static let scales: [Float] = [0.25, 0.5, 0.5, 0.75, 0.1, 0.125]

    /// How the object's image is resampled to the drawn scale (its mask is always resampled
    /// by nearest neighbour).
    public enum Resampling: String, Sendable, CaseIterable {
        /// Each pixel takes the object pixel at its centre, `((x + ½)/s, (y + ½)/s)`: at
        /// scales of 0.1 the texture aliases into pixel noise no scene has.
        case nearest
        /// Bilinear with half-pixel centres: the official code's `cv2.INTER_LINEAR` (no
        /// prefilter: at 0.1 it reads 2×2 of every 10×10 pixels and aliases as `nearest` does).
        case bilinear
        /// Area averaging (`cv2.INTER_AREA`): every object pixel under a target pixel counts
        /// by its overlap, so a downscaled object is as smooth as one drawn at that size.
        case area
    }

    /// The resampling training uses unless a recipe says otherwise, and the one the
    /// outlier-exposure validation set is written with.
    public static let defaultResampling = Resampling.bilinear

    /// Pastes `object` into `image`/`labels` (same size) and returns the scale used. The
    /// object image is resized by the drawn factor with `resampling`, its mask by nearest
    /// neighbour (`floor(x / s)`, `cv2.INTER_NEAREST`; `nearest` samples both at pixel
    /// centres), and placed at a uniform position where it fits. With probability
    /// `camouflage` it then takes the colour of its surroundings (``camouflaged(_:mask:as:)``),
    /// as half the test anomalies are drawn; at 0 (the official code's paste) nothing more is
    /// drawn from `rng`.
    @discardableResult
    public static func paste(_ object: OutlierObject, into image: inout RGBImage, labels: inout LabelMap,
                             resampling: Resampling, camouflage: Float = 0, using rng: inout SeededGenerator) -> Float {
        precondition(image.width == labels.width && image.height == labels.height, "OutlierExposure.paste: image and labels differ in size")
        let scale = rng.pick(scales)
        let w = max(1, min(image.width, Int(Float(object.image.width) * scale)))
        let h = max(1, min(image.height, Int(Float(object.image.height) * scale)))
        let x0 = rng.int(0...(image.width - w)), y0 = rng.int(0...(image.height - h))
        var (pixels, mask) = resized(object, width: w, height: h, scale: scale, resampling: resampling)
        if camouflage > 0 && rng.chance(camouflage),
           let surroundings = Surroundings.inlierColor(image: image, labels: labels, around: SIMD2(Float(x0) + Float(w) / 2, Float(y0) + Float(h) / 2),
                                                       radius: Float(h), using: &rng) {
            pixels = camouflaged(pixels, mask: mask, as: rng.jitter(surroundings, 0.06))
        }
        for y in 0..<h {
            for x in 0..<w where mask[y * w + x] {
                let d = ((y0 + y) * image.width + x0 + x) * 3, s = (y * w + x) * 3
                for ch in 0..<3 { image.pixels[d + ch] = pixels[s + ch] }
                labels.values[(y0 + y) * image.width + x0 + x] = outlierLabel
            }
        }
        return scale
    }

    /// The object's pixels recoloured to `color` (on [0, 1]) as the test anomalies are drawn:
    /// one colour shaded by the object's own texture and pattern. Each masked pixel becomes
    /// `color · g · (its luminance / the object's mean luminance)`, the gain `g` found by
    /// bisection so that the masked mean luminance is `color`'s where saturation at 255
    /// allows. The object keeps its shape, pattern and shading; its hues (accents, dark
    /// parts) collapse to the one colour, so no new hue appears. Pixels outside the mask are
    /// kept.
    static func camouflaged(_ pixels: [UInt8], mask: [Bool], as color: Color) -> [UInt8] {
        let masked = mask.indices.filter { mask[$0] }
        guard !masked.isEmpty else { return pixels }
        func luminance(_ r: Float, _ g: Float, _ b: Float) -> Float { 0.299 * r + 0.587 * g + 0.114 * b }
        let shades = masked.map { luminance(Float(pixels[3 * $0]), Float(pixels[3 * $0 + 1]), Float(pixels[3 * $0 + 2])) }
        let meanShade = max(1, shades.reduce(0, +) / Float(shades.count))
        let target = color * 255, targetLuminance = luminance(target.x, target.y, target.z)
        func recoloured(_ shade: Float, gain: Float) -> SIMD3<Float> { pointwiseMin(target * (gain * shade / meanShade), SIMD3(repeating: 255)) }
        func meanLuminance(_ gain: Float) -> Float {
            shades.reduce(0) { sum, shade in let c = recoloured(shade, gain: gain); return sum + luminance(c.x, c.y, c.z) } / Float(shades.count)
        }
        var (low, high): (Float, Float) = (0, 64)
        for _ in 0..<24 {
            let middle = (low + high) / 2
            if meanLuminance(middle) < targetLuminance { low = middle } else { high = middle }
        }
        let gain = (low + high) / 2
        var result = pixels
        for (i, shade) in zip(masked, shades) {
            let c = recoloured(shade, gain: gain)
            (result[3 * i], result[3 * i + 1], result[3 * i + 2]) = (UInt8(c.x.rounded()), UInt8(c.y.rounded()), UInt8(c.z.rounded()))
        }
        return result
    }

    /// The object's image and mask at `width`×`height`.
    static func resized(_ object: OutlierObject, width w: Int, height h: Int, scale: Float, resampling: Resampling) -> (pixels: [UInt8], mask: [Bool]) {
        let source = object.image
        if resampling == .nearest {
            var pixels = [UInt8](repeating: 0, count: w * h * 3), mask = [Bool](repeating: false, count: w * h)
            for y in 0..<h {
                let sy = min(source.height - 1, Int((Float(y) + 0.5) / scale))
                for x in 0..<w {
                    let sx = min(source.width - 1, Int((Float(x) + 0.5) / scale))
                    let s = sy * source.width + sx
                    mask[y * w + x] = object.mask[s]
                    for ch in 0..<3 { pixels[(y * w + x) * 3 + ch] = source.pixels[s * 3 + ch] }
                }
            }
            return (pixels, mask)
        }
        let maskMap = LabelMap(width: source.width, height: source.height, values: object.mask.map { $0 ? 1 : 0 })
        let mask = Geometry.resize(maskMap, width: w, height: h).values.map { $0 == 1 }
        let resizedImage = resampling == .area ? Geometry.resizeArea(source, width: w, height: h) : Geometry.resize(source, width: w, height: h)
        return (resizedImage.pixels, mask)
    }
}
