import Foundation
import TensorCore

/// Families of objects that belong to no Cityscapes class. The *test* families make the
/// anomaly benchmarks; the *outlier-exposure* families make the COCO stand-in used in
/// training. The two never overlap, so test anomalies stay unseen during training.
public enum ObjectFamily: String, CaseIterable, Sendable {
    /// Test anomalies: four-legged animals, traffic cones, irregular debris, wooden crates.
    case animal, cone, debris, crate
    /// Outlier exposure: balls, chairs, bags, standing lamps, and the ``varied`` families
    /// (umbrellas, bottles, tyres, boards, kites, suitcases, potted plants, toy stars).
    case ball, chair, bag, lamp, umbrella, bottle, tire, board, kite, suitcase, plant, toy

    /// The families of the anomaly test sets.
    public static let test: [ObjectFamily] = [.animal, .cone, .debris, .crate]
    /// The families of the outlier-exposure set.
    public static let outlierExposure: [ObjectFamily] = classicOutlierExposure + varied
    /// The four outlier-exposure families of generator versions 1 and 2.
    public static let classicOutlierExposure: [ObjectFamily] = [.ball, .chair, .bag, .lamp]

    /// Colours drawn from inlier classes (road, vegetation, facades, cars), so no score can
    /// separate anomalies by colour alone.
    static let inlierPalette = [Color(0.38, 0.37, 0.4), Color(0.25, 0.45, 0.15), Color(0.6, 0.55, 0.5), Color(0.7, 0.1, 0.1),
                                Color(0.62, 0.6, 0.58), Color(0.15, 0.2, 0.5)]

    /// Draws one object standing on (cx, bottom), `size` pixels tall, writing `label`. With
    /// probability `inlierChance` the object takes an inlier colour: `inlierColor` (sampled
    /// from the scene) when given, else one of the fixed inlier palette.
    func draw(_ c: inout Canvas, cx: Float, bottom: Float, size s: Float, label: UInt8, inlierColor: Color? = nil,
              inlierChance: Float = 0.5, using rng: inout SeededGenerator) {
        let natural: [Color]
        switch self {
        case .animal: natural = [Color(0.45, 0.3, 0.15), Color(0.9, 0.88, 0.82), Color(0.2, 0.15, 0.1)]
        case .cone: natural = [Color(0.95, 0.45, 0.1)]
        case .debris: natural = [Color(0.5, 0.45, 0.35), Color(0.3, 0.3, 0.3)]
        case .crate: natural = [Color(0.6, 0.45, 0.25)]
        case .ball: natural = [Color(0.9, 0.9, 0.9), Color(0.85, 0.5, 0.1), Color(0.2, 0.5, 0.9)]
        case .chair: natural = [Color(0.5, 0.3, 0.15), Color(0.85, 0.85, 0.8)]
        case .bag: natural = [Color(0.15, 0.1, 0.1), Color(0.6, 0.2, 0.5)]
        case .lamp: natural = [Color(0.95, 0.9, 0.7), Color(0.3, 0.3, 0.3)]
        case .umbrella, .bottle, .tire, .board, .kite, .suitcase, .plant, .toy:
            natural = [Color(rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95))]
        }
        let color = rng.jitter(rng.chance(inlierChance) ? (inlierColor ?? rng.pick(Self.inlierPalette)) : rng.pick(natural), 0.06)
        let texture = rng.uniform(0.1, 0.4), grain = rng.uniform(1.5, 6)
        switch self {
        case .animal:
            let long = s * rng.uniform(1.2, 1.8)
            c.ellipse(cx, bottom - s * 0.6, long / 2, s * 0.25, color, label: label, texture: texture, scale: grain)
            c.ellipse(cx + long * 0.5, bottom - s * 0.85, s * 0.18, s * 0.15, color, label: label, texture: texture, scale: grain)
            for dx: Float in [-0.35, -0.2, 0.2, 0.35] {
                c.rect(Int(cx + dx * long - s * 0.04), Int(bottom - s * 0.45), Int(cx + dx * long + s * 0.04), Int(bottom), color * 0.8,
                       label: label, texture: texture, scale: grain)
            }
        case .cone:
            c.polygon([SIMD2(cx - s * 0.3, bottom), SIMD2(cx + s * 0.3, bottom), SIMD2(cx, bottom - s)], color, label: label,
                      texture: texture, scale: grain) { _, y in (Int((bottom - Float(y)) / max(1, s * 0.2)) % 2 == 1) ? 1.5 : 1 }
        case .debris:
            let corners = rng.int(5...9)
            let points = (0..<corners).map { k -> SIMD2<Float> in
                let angle = Float(k) / Float(corners) * 2 * .pi, r = s * rng.uniform(0.3, 0.6)
                return SIMD2(cx + r * 1.4 * cos(angle), bottom - s * 0.45 + r * sin(angle) * 0.9)
            }
            c.polygon(points, color, label: label, texture: texture + 0.2, scale: grain)
        case .crate:
            c.rect(Int(cx - s * 0.5), Int(bottom - s), Int(cx + s * 0.5), Int(bottom), color, label: label, texture: texture, scale: grain)
            for k in 1..<4 {
                let y = bottom - s * Float(k) / 4
                c.rect(Int(cx - s * 0.5), Int(y - max(1, s * 0.02)), Int(cx + s * 0.5), Int(y + max(1, s * 0.02)), color * 0.6, label: label, texture: 0.05)
            }
        case .ball:
            c.ellipse(cx, bottom - s * 0.5, s * 0.5, s * 0.5, color, label: label, texture: texture, scale: grain)
            c.ellipse(cx, bottom - s * 0.5, s * 0.5, s * 0.08, color * 0.5, label: label, texture: 0.05)
        case .chair:
            c.rect(Int(cx - s * 0.35), Int(bottom - s * 0.5), Int(cx + s * 0.35), Int(bottom - s * 0.42), color, label: label, texture: texture)
            c.rect(Int(cx + s * 0.27), Int(bottom - s), Int(cx + s * 0.35), Int(bottom - s * 0.45), color, label: label, texture: texture)
            for dx: Float in [-0.33, 0.3] {
                c.rect(Int(cx + dx * s), Int(bottom - s * 0.45), Int(cx + dx * s + max(1, s * 0.05)), Int(bottom), color * 0.8, label: label, texture: texture)
            }
        case .bag:
            c.rect(Int(cx - s * 0.4), Int(bottom - s * 0.7), Int(cx + s * 0.4), Int(bottom), color, label: label, texture: texture, scale: grain)
            c.ellipse(cx, bottom - s * 0.75, s * 0.22, s * 0.25, color * 0.7, label: label, texture: 0.1)
            c.ellipse(cx, bottom - s * 0.75, s * 0.14, s * 0.17, Color(0.5, 0.5, 0.5), label: nil, texture: 0.1)
        case .umbrella, .bottle, .tire, .board, .kite, .suitcase, .plant, .toy:
            drawVaried(&c, cx: cx, bottom: bottom, size: s, label: label, color: color, using: &rng)
        case .lamp:
            c.rect(Int(cx - max(1, s * 0.03)), Int(bottom - s * 0.75), Int(cx + max(1, s * 0.03)), Int(bottom), Color(0.3, 0.3, 0.3), label: label, texture: 0.1)
            c.polygon([SIMD2(cx - s * 0.15, bottom - s * 0.75), SIMD2(cx + s * 0.15, bottom - s * 0.75),
                       SIMD2(cx + s * 0.25, bottom - s * 0.6), SIMD2(cx - s * 0.25, bottom - s * 0.6)].map { SIMD2($0.x, $0.y - s * 0.25) },
                      color, label: label, texture: texture)
            c.ellipse(cx, bottom - s * 0.03, s * 0.18, s * 0.04, Color(0.3, 0.3, 0.3), label: label, texture: 0.1)
        }
    }
}
