import Foundation
import TensorCore

/// A colour as three floats in [0, 1].
public typealias Color = SIMD3<Float>

/// An image and its label map painted together: every shape writes its colour (textured
/// by value noise and lit by the scene's light) and its label into the same pixels.
struct Canvas {
    private(set) var image: RGBImage
    var labels: LabelMap
    let width: Int, height: Int
    /// Global brightness and colour cast of the scene.
    let light: Color
    let noise: ValueNoise

    init(width: Int, height: Int, light: Color, noise: ValueNoise, fillLabel: UInt8 = TrainId.void) {
        (self.width, self.height, self.light, self.noise) = (width, height, light, noise)
        image = RGBImage(width: width, height: height)
        labels = LabelMap(width: width, height: height, fill: fillLabel)
    }

    /// Writes one pixel: `color` modulated by noise of the given `texture` strength and scale.
    mutating func paint(_ x: Int, _ y: Int, _ color: Color, label: UInt8?, texture: Float = 0.15, scale: Float = 6) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let n = noise.fractal(Float(x) / scale, Float(y) / scale) - 0.5
        let c = simd_clamp01(color * (1 + texture * 2 * n) * light)
        let i = (y * width + x) * 3
        image.pixels[i] = UInt8(c.x * 255); image.pixels[i + 1] = UInt8(c.y * 255); image.pixels[i + 2] = UInt8(c.z * 255)
        if let label { labels.values[y * width + x] = label }
    }

    /// The mean colour (before the scene's light) of up to 16 pixels of one inlier class
    /// around `center`, within `radius` pixels, the class chosen by a random inlier pixel
    /// there: an anomaly can wear the colours of its own surroundings (road under an
    /// obstacle, pavement or facade behind a static object), as a camouflaged real one does.
    /// Nil when 32 draws find no inlier pixel in the window.
    func inlierColor(around center: SIMD2<Float>, radius: Float, using rng: inout SeededGenerator) -> Color? {
        Surroundings.inlierColor(image: image, labels: labels, around: center, radius: radius, using: &rng)
            .map { simd_clamp01($0 / pointwiseMax(light, Color(repeating: 0.05))) }
    }

    /// Fills the axis-aligned rectangle `[x0, x1) × [y0, y1)`.
    mutating func rect(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ color: Color, label: UInt8?, texture: Float = 0.15, scale: Float = 6) {
        let (top, bottom, left, right) = (max(0, y0), min(height, y1), max(0, x0), min(width, x1))
        guard top < bottom, left < right else { return }
        for y in top..<bottom {
            for x in left..<right { paint(x, y, color, label: label, texture: texture, scale: scale) }
        }
    }

    /// Fills an ellipse centred at (cx, cy) with radii (rx, ry).
    mutating func ellipse(_ cx: Float, _ cy: Float, _ rx: Float, _ ry: Float, _ color: Color, label: UInt8?,
                          texture: Float = 0.15, scale: Float = 6) {
        let (top, bottom) = (max(0, Int(cy - ry)), min(height - 1, Int(cy + ry)))
        let (left, right) = (max(0, Int(cx - rx)), min(width - 1, Int(cx + rx)))
        guard rx > 0, ry > 0, top <= bottom, left <= right else { return }
        for y in top...bottom {
            for x in left...right {
                let dx = (Float(x) + 0.5 - cx) / rx, dy = (Float(y) + 0.5 - cy) / ry
                if dx * dx + dy * dy <= 1 { paint(x, y, color, label: label, texture: texture, scale: scale) }
            }
        }
    }

    /// Fills a convex or concave polygon (even-odd rule, scanline).
    mutating func polygon(_ points: [SIMD2<Float>], _ color: Color, label: UInt8?, texture: Float = 0.15, scale: Float = 6,
                          shade: ((Int, Int) -> Float)? = nil) {
        guard points.count >= 3 else { return }
        let top = max(0, Int(points.map(\.y).min()!)), bottom = min(height - 1, Int(points.map(\.y).max()!))
        guard top <= bottom else { return }
        for y in top...bottom {
            let fy = Float(y) + 0.5
            var crossings: [Float] = []
            for i in points.indices {
                let a = points[i], b = points[(i + 1) % points.count]
                if (a.y <= fy && b.y > fy) || (b.y <= fy && a.y > fy) {
                    crossings.append(a.x + (fy - a.y) / (b.y - a.y) * (b.x - a.x))
                }
            }
            crossings.sort()
            var k = 0
            while k + 1 < crossings.count {
                let x0 = max(0, Int(crossings[k].rounded())), x1 = min(width, Int(crossings[k + 1].rounded()))
                if x0 < x1 {
                    for x in x0..<x1 {
                        let c = shade.map { color * $0(x, y) } ?? color
                        paint(x, y, c, label: label, texture: texture, scale: scale)
                    }
                }
                k += 2
            }
        }
    }
}

/// Clamps each component into [0, 1).
func simd_clamp01(_ c: Color) -> Color { c.clamped(lowerBound: Color(repeating: 0), upperBound: Color(repeating: 0.999)) }

/// Deterministic 2-D value noise (smoothly interpolated hashed lattice values), summed over
/// three octaves: the texture of every surface.
struct ValueNoise: Sendable {
    let seed: UInt64

    private func lattice(_ x: Int, _ y: Int) -> Float {
        var z = seed &+ UInt64(bitPattern: Int64(x)) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(bitPattern: Int64(y)) &* 0xC2B2_AE3D_27D4_EB4F
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Float((z ^ (z >> 31)) >> 40) * 0x1p-24
    }

    /// Noise in [0, 1) at (x, y), one octave.
    func value(_ x: Float, _ y: Float) -> Float {
        let x0 = Int(floor(x)), y0 = Int(floor(y))
        let fx = x - Float(x0), fy = y - Float(y0)
        let sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy)
        let top = lattice(x0, y0) + sx * (lattice(x0 + 1, y0) - lattice(x0, y0))
        let bottom = lattice(x0, y0 + 1) + sx * (lattice(x0 + 1, y0 + 1) - lattice(x0, y0 + 1))
        return top + sy * (bottom - top)
    }

    /// Three octaves, in [0, 1).
    func fractal(_ x: Float, _ y: Float) -> Float {
        (value(x, y) * 4 + value(x * 2.1, y * 2.1) * 2 + value(x * 4.3, y * 4.3)) / 7
    }
}
