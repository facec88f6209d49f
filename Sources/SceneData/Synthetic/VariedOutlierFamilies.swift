import Foundation
import TensorCore

/// The outlier-exposure families added so the COCO stand-in is many and varied, as COCO's
/// 80 classes are: each draws its shape with random proportions, in any colour, with one of
/// several surface patterns. None resembles a test family (four-legged animal, cone,
/// irregular debris polygon, banded crate).
extension ObjectFamily {
    /// Families drawn by ``drawVaried(_:cx:bottom:size:label:color:using:)``.
    static let varied: [ObjectFamily] = [.umbrella, .bottle, .tire, .board, .kite, .suitcase, .plant, .toy]

    /// A surface pattern for one object: a shade factor per pixel (stripes in one of three
    /// directions, a checkerboard, spots, or none), its period a fraction of the object size.
    static func pattern(size s: Float, using rng: inout SeededGenerator) -> (Int, Int) -> Float {
        let period = max(2, s * rng.uniform(0.06, 0.25)), depth = rng.uniform(0.45, 0.8)
        switch rng.int(0...4) {
        case 0: return { x, _ in Int(Float(x) / period) % 2 == 0 ? 1 : depth }
        case 1: return { _, y in Int(Float(y) / period) % 2 == 0 ? 1 : depth }
        case 2: return { x, y in Int(Float(x + y) / period) % 2 == 0 ? 1 : depth }
        case 3: return { x, y in (Int(Float(x) / period) + Int(Float(y) / period)) % 2 == 0 ? 1 : depth }
        default:
            let spot = period * 0.3
            return { x, y in
                let dx = Float(x).truncatingRemainder(dividingBy: period) - period / 2, dy = Float(y).truncatingRemainder(dividingBy: period) - period / 2
                return dx * dx + dy * dy < spot * spot ? depth : 1
            }
        }
    }

    /// The points of an ellipse, for shapes the pattern shades.
    static func ellipsePoints(_ cx: Float, _ cy: Float, _ rx: Float, _ ry: Float, from start: Float = 0, to end: Float = 2 * .pi,
                              count: Int = 24) -> [SIMD2<Float>] {
        (0...count).map { k in
            let angle = start + (end - start) * Float(k) / Float(count)
            return SIMD2(cx + rx * cos(angle), cy + ry * sin(angle))
        }
    }

    /// Draws one of the ``varied`` families standing on (cx, bottom), about `size` tall.
    func drawVaried(_ c: inout Canvas, cx: Float, bottom: Float, size s: Float, label: UInt8, color: Color,
                    using rng: inout SeededGenerator) {
        let shade = Self.pattern(size: s, using: &rng)
        let texture = rng.uniform(0.05, 0.35), grain = rng.uniform(1.5, 6)
        let dark = color * rng.uniform(0.3, 0.6), accent = Color(rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0, 1))
        func rectangle(_ x0: Float, _ y0: Float, _ x1: Float, _ y1: Float) -> [SIMD2<Float>] {
            [SIMD2(x0, y0), SIMD2(x1, y0), SIMD2(x1, y1), SIMD2(x0, y1)]
        }
        switch self {
        case .umbrella:
            let r = s * rng.uniform(0.35, 0.55), top = bottom - s
            c.rect(Int(cx - max(1, s * 0.02)), Int(top + r * 0.5), Int(cx + max(1, s * 0.02)), Int(bottom), dark, label: label, texture: 0.05)
            c.polygon(Self.ellipsePoints(cx, top + r * 0.6, r, r * 0.6, from: .pi, to: 2 * .pi), color, label: label,
                      texture: texture, scale: grain, shade: shade)
        case .bottle:
            let w = s * rng.uniform(0.2, 0.4), body = s * rng.uniform(0.55, 0.7)
            c.polygon(rectangle(cx - w / 2, bottom - body, cx + w / 2, bottom), color, label: label, texture: texture, scale: grain, shade: shade)
            c.polygon([SIMD2(cx - w / 2, bottom - body), SIMD2(cx + w / 2, bottom - body), SIMD2(cx + w * 0.2, bottom - s * 0.85),
                       SIMD2(cx - w * 0.2, bottom - s * 0.85)], color, label: label, texture: texture, scale: grain)
            c.rect(Int(cx - w * 0.2), Int(bottom - s), Int(cx + w * 0.2), Int(bottom - s * 0.85), accent, label: label, texture: 0.05)
        case .tire:
            let r = s * 0.5, squash = rng.uniform(0.6, 1)
            c.ellipse(cx, bottom - r, r * squash, r, Color(0.08, 0.08, 0.09), label: label, texture: 0.2, scale: 2)
            c.polygon(Self.ellipsePoints(cx, bottom - r, r * squash * 0.55, r * 0.55), color, label: label, texture: texture, shade: shade)
        case .board:
            let w = s * rng.uniform(0.5, 1.1), h = s * rng.uniform(0.35, 0.6)
            for dx: Float in [-0.35, 0.35] {
                c.rect(Int(cx + dx * w - max(1, s * 0.02)), Int(bottom - s + h), Int(cx + dx * w + max(1, s * 0.02)), Int(bottom), dark, label: label, texture: 0.1)
            }
            c.polygon(rectangle(cx - w / 2, bottom - s, cx + w / 2, bottom - s + h), color, label: label, texture: texture, scale: grain, shade: shade)
        case .kite:
            let w = s * rng.uniform(0.35, 0.6), top = bottom - s
            c.polygon([SIMD2(cx, top), SIMD2(cx + w / 2, top + s * 0.3), SIMD2(cx, top + s * 0.7), SIMD2(cx - w / 2, top + s * 0.3)], color,
                      label: label, texture: texture, scale: grain, shade: shade)
            for k in 0..<4 {
                let y = top + s * (0.72 + 0.07 * Float(k)), x = cx + (k % 2 == 0 ? -1 : 1) * s * 0.04
                c.rect(Int(x - s * 0.03), Int(y), Int(x + s * 0.03), Int(y + max(1, s * 0.04)), accent, label: label, texture: 0.05)
            }
        case .suitcase:
            let w = s * rng.uniform(0.45, 0.8), h = s * rng.uniform(0.6, 0.8)
            c.polygon(rectangle(cx - w / 2, bottom - h, cx + w / 2, bottom - s * 0.04), color, label: label, texture: texture, scale: grain, shade: shade)
            c.rect(Int(cx - w * 0.2), Int(bottom - h - s * 0.12), Int(cx + w * 0.2), Int(bottom - h), dark, label: label, texture: 0.05)
            for dx: Float in [-0.35, 0.35] { c.ellipse(cx + dx * w, bottom - s * 0.03, s * 0.04, s * 0.03, dark, label: label, texture: 0.05) }
        case .plant:
            let potW = s * rng.uniform(0.3, 0.5), potH = s * 0.35
            c.polygon([SIMD2(cx - potW / 2, bottom - potH), SIMD2(cx + potW / 2, bottom - potH), SIMD2(cx + potW * 0.35, bottom),
                       SIMD2(cx - potW * 0.35, bottom)], color, label: label, texture: texture, scale: grain, shade: shade)
            for _ in 0..<rng.int(3...6) {
                c.ellipse(cx + rng.uniform(-0.3, 0.3) * s, bottom - potH - rng.uniform(0.1, 0.5) * s, s * rng.uniform(0.08, 0.18),
                          s * rng.uniform(0.05, 0.12), accent, label: label, texture: 0.3, scale: 2)
            }
        case .toy:
            let points = rng.int(5...8), inner = rng.uniform(0.35, 0.6), r = s * 0.5
            let star = (0..<(2 * points)).map { k -> SIMD2<Float> in
                let angle = Float(k) / Float(2 * points) * 2 * .pi - .pi / 2, radius = k % 2 == 0 ? r : r * inner
                return SIMD2(cx + radius * cos(angle), bottom - r + radius * sin(angle))
            }
            c.polygon(star, color, label: label, texture: texture, scale: grain, shade: shade)
        case .animal, .cone, .debris, .crate, .ball, .chair, .bag, .lamp:
            break  // test and classic families draw in draw(_:cx:bottom:size:label:inlierColor:inlierChance:using:)
        }
    }
}
