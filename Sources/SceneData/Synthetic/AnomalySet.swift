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

    /// One image and its anomaly labels.
    public func generate(width: Int, height: Int, using rng: inout SeededGenerator) -> (image: RGBImage, labels: LabelMap) {
        var (canvas, layout) = StreetScene.render(self == .country ? .country : (self == .obstacle && rng.chance(0.3) ? .country : .city),
                                                  width: width, height: height, using: &rng)
        let road = canvas.labels.values.map { $0 == TrainId.road.rawValue }
        let valid = canvas.labels.values.map { $0 != TrainId.void }
        let marker: UInt8 = 200  // anomaly pixels while drawing, rewritten below
        for _ in 0..<(self == .country ? rng.int(1...2) : rng.int(1...3)) {
            let t = self == .obstacle ? rng.uniform(0.1, 0.9) : rng.uniform(0.25, 1.0)
            let reach: Float = self == .static ? (rng.chance(0.5) ? layout.sidewalkHalf : 0.8) : 0.8
            let offset = rng.uniform(-reach, reach)
            let below = layout.height - layout.horizon
            let size: Float
            switch self {
            case .static: size = below * t * rng.uniform(0.15, 0.5)
            case .obstacle: size = below * t * rng.uniform(0.05, 0.15)
            case .country: size = below * t * rng.uniform(0.35, 0.8)
            }
            rng.pick(ObjectFamily.test).draw(&canvas, cx: layout.column(offset, at: t), bottom: layout.row(t), size: max(2, size),
                                            label: marker, using: &rng)
        }
        let labels = canvas.labels.values.indices.map { i -> UInt8 in
            let isAnomaly = canvas.labels.values[i] == marker
            if self == .obstacle { return isAnomaly ? 1 : (road[i] ? 0 : TrainId.void) }
            return isAnomaly ? 1 : (valid[i] ? 0 : TrainId.void)
        }
        return (canvas.image, LabelMap(width: width, height: height, values: labels))
    }
}
