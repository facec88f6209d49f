/// Resizing, cropping and flipping that keep an image and its labels aligned: bilinear
/// for images, nearest for labels (a label is never interpolated).
public enum Geometry {
    /// Bilinear resize (half-pixel centres, as `align_corners=False`).
    public static func resize(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let sx = Float(image.width) / Float(width), sy = Float(image.height) / Float(height)
        for y in 0..<height {
            let fy = max(0, (Float(y) + 0.5) * sy - 0.5)
            let y0 = min(Int(fy), image.height - 1), y1 = min(y0 + 1, image.height - 1), wy = fy - Float(y0)
            for x in 0..<width {
                let fx = max(0, (Float(x) + 0.5) * sx - 0.5)
                let x0 = min(Int(fx), image.width - 1), x1 = min(x0 + 1, image.width - 1), wx = fx - Float(x0)
                for c in 0..<3 {
                    let a = Float(image.pixels[(y0 * image.width + x0) * 3 + c]), b = Float(image.pixels[(y0 * image.width + x1) * 3 + c])
                    let d = Float(image.pixels[(y1 * image.width + x0) * 3 + c]), e = Float(image.pixels[(y1 * image.width + x1) * 3 + c])
                    let top = a + (b - a) * wx, bottom = d + (e - d) * wx
                    out[(y * width + x) * 3 + c] = UInt8(min(255, max(0, (top + (bottom - top) * wy).rounded())))
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// Area-averaging resize (`cv2.INTER_AREA` when shrinking): output pixel `o` averages the
    /// source pixels under `[o·r, (o + 1)·r)`, `r` = source/target size, each weighted by its
    /// overlap; separable, rows first. A shrunk texture keeps its mean instead of aliasing.
    public static func resizeArea(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        let columns = areaWeights(source: image.width, target: width), rows = areaWeights(source: image.height, target: height)
        var horizontal = [Float](repeating: 0, count: image.height * width * 3)
        for y in 0..<image.height {
            for x in 0..<width {
                for (i, weight) in columns[x] {
                    for c in 0..<3 { horizontal[(y * width + x) * 3 + c] += weight * Float(image.pixels[(y * image.width + i) * 3 + c]) }
                }
            }
        }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<3 {
                    let value = rows[y].reduce(Float(0)) { $0 + $1.weight * horizontal[($1.index * width + x) * 3 + c] }
                    out[(y * width + x) * 3 + c] = UInt8(min(255, max(0, value.rounded())))
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }

    /// Per target index, the source indices under its footprint and their normalised overlaps.
    static func areaWeights(source: Int, target: Int) -> [[(index: Int, weight: Float)]] {
        let ratio = Double(source) / Double(target)
        return (0..<target).map { o in
            let (start, end) = (Double(o) * ratio, min(Double(source), Double(o + 1) * ratio))
            return (Int(start)..<min(source, Int(end.rounded(.up)))).compactMap { i in
                let overlap = min(Double(i + 1), end) - max(Double(i), start)
                return overlap > 0 ? (i, Float(overlap / (end - start))) : nil
            }
        }
    }

    /// Nearest-neighbour resize (PyTorch's `mode="nearest"` index rule).
    public static func resize(_ labels: LabelMap, width: Int, height: Int) -> LabelMap {
        var out = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            let sy = min(labels.height - 1, y * labels.height / height)
            for x in 0..<width { out[y * width + x] = labels.values[sy * labels.width + min(labels.width - 1, x * labels.width / width)] }
        }
        return LabelMap(width: width, height: height, values: out)
    }

    /// The `width`×`height` window at (x0, y0); parts outside the source are filled (image
    /// `fillColor`, black unless given; labels `fillLabel`), so crops larger than the image pad.
    public static func crop(_ image: RGBImage, _ labels: LabelMap, x0: Int, y0: Int, width: Int, height: Int,
                            fillLabel: UInt8 = 255, fillColor: SIMD3<UInt8> = .zero) -> (RGBImage, LabelMap) {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        if fillColor != .zero { for i in 0..<(width * height) { (pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2]) = (fillColor.x, fillColor.y, fillColor.z) } }
        var values = [UInt8](repeating: fillLabel, count: width * height)
        for y in 0..<height where y0 + y >= 0 && y0 + y < image.height {
            for x in 0..<width where x0 + x >= 0 && x0 + x < image.width {
                let s = (y0 + y) * image.width + x0 + x, d = y * width + x
                pixels[3 * d] = image.pixels[3 * s]; pixels[3 * d + 1] = image.pixels[3 * s + 1]; pixels[3 * d + 2] = image.pixels[3 * s + 2]
                values[d] = labels.values[s]
            }
        }
        return (RGBImage(width: width, height: height, pixels: pixels), LabelMap(width: width, height: height, values: values))
    }

    /// Mirrors left-right.
    public static func flip(_ image: RGBImage, _ labels: LabelMap) -> (RGBImage, LabelMap) {
        var pixels = image.pixels, values = labels.values
        for y in 0..<image.height {
            for x in 0..<image.width {
                let s = y * image.width + x, d = y * image.width + image.width - 1 - x
                pixels[3 * d] = image.pixels[3 * s]; pixels[3 * d + 1] = image.pixels[3 * s + 1]; pixels[3 * d + 2] = image.pixels[3 * s + 2]
                values[d] = labels.values[s]
            }
        }
        return (RGBImage(width: image.width, height: image.height, pixels: pixels), LabelMap(width: labels.width, height: labels.height, values: values))
    }
}
