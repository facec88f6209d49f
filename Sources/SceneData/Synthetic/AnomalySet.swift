import TensorCore

/// The anomaly test sets of the synthetic world, in the benchmarks' label format
/// (0 inlier, 1 anomaly, 255 void), drawn only from ``ObjectFamily/test`` families.
///
/// How hard each is meant to be:
/// - ``static``: 1-3 objects pasted into city scenes on road or sidewalk, medium to large,
///   half of them in inlier colours (like Fishyscapes Static): moderate.
/// - ``obstacle``: 1-3 small objects on the road, far ones a few pixels tall, everything
///   off the road void (like SMIYC Obstacle / Lost & Found): small and distant.
/// - ``country``: large objects in country scenes, whose inlier classes look unfamiliar
///   (another palette and light; like RoadAnomaly / SMIYC Anomaly): a detector that flags
///   "unfamiliar" instead of "anomalous" raises false positives everywhere here.
public enum AnomalySet: String, CaseIterable, Sendable {
    case `static`, obstacle, country

    /// Anomalies with fewer visible pixels than this (after nearer objects hid them) become
    /// void: neither anomaly nor inlier, as SMIYC's minimum instance size.
    public static let minimumVisiblePixels = 24

    /// One image and its anomaly labels. Anomalies are drawn in depth order among the
    /// scene's objects (nearer cars and people hide them; labels follow what is visible),
    /// half of them in the mean colour of an inlier class around them, sampled from the
    /// scene's own pixels (``Canvas/inlierColor(around:radius:using:)``).
    public func generate(width: Int, height: Int, using rng: inout SeededGenerator) -> (image: RGBImage, labels: LabelMap) {
        let context: StreetScene.Context = self == .country ? .country : (self == .obstacle && rng.chance(0.3) ? .country : .city)
        let firstMarker: UInt8 = 200  // one marker per anomaly while drawing, rewritten below
        let minimumSize = max(4, Float(height) * (self == .obstacle ? 0.05 : 0.06))
        let (canvas, _) = StreetScene.render(context, width: width, height: height, using: &rng) { layout, rng in
            (0..<(self == .country ? rng.int(1...2) : rng.int(1...3))).map { k -> StreetScene.DepthObject in
                let t = self == .obstacle ? rng.uniform(0.2, 0.95) : rng.uniform(0.25, 1.0)
                let reach: Float = self == .static ? (rng.chance(0.5) ? layout.sidewalkHalf : 0.8) : 0.8
                let offset = rng.uniform(-reach, reach)
                let below = layout.height - layout.horizon
                let size: Float
                switch self {
                case .static: size = below * t * rng.uniform(0.15, 0.5)
                case .obstacle: size = below * t * rng.uniform(0.14, 0.3)
                case .country: size = below * t * rng.uniform(0.35, 0.8)
                }
                let family = rng.pick(ObjectFamily.test)
                let (cx, bottom, height) = (layout.column(offset, at: t), layout.row(t), max(minimumSize, size))
                return (t, { canvas, rng in
                    let surroundings = canvas.inlierColor(around: SIMD2(cx, bottom - height / 2), radius: height, using: &rng)
                    family.draw(&canvas, cx: cx, bottom: bottom, size: height, label: firstMarker + UInt8(k),
                                inlierColor: surroundings, using: &rng)
                })
            }
        }
        let road = canvas.labels.values.map { $0 == TrainId.road.rawValue }
        var visible = [Int](repeating: 0, count: 8)
        for value in canvas.labels.values where value >= firstMarker && value < firstMarker + 8 { visible[Int(value - firstMarker)] += 1 }
        let labels = canvas.labels.values.indices.map { i -> UInt8 in
            let value = canvas.labels.values[i]
            if value >= firstMarker && value < firstMarker + 8 {
                return visible[Int(value - firstMarker)] >= Self.minimumVisiblePixels ? 1 : TrainId.void
            }
            if self == .obstacle { return road[i] ? 0 : TrainId.void }
            return value == TrainId.void ? TrainId.void : 0
        }
        return (canvas.image, LabelMap(width: width, height: height, values: labels))
    }
}
