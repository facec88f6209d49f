import Testing
import OoDMetrics
import SceneData
import TensorCore

@Suite("The anomaly sets are not separable by colour alone")
struct DifficultyTests {
    /// A colour-only detector: the distance of a pixel's colour to the nearest mean colour
    /// of an inlier class, the means measured on city training scenes.
    static func colourScore(_ world: SyntheticWorld) -> (RGBImage) -> [Float] {
        var sums = [SIMD3<Float>](repeating: .zero, count: 19), counts = [Float](repeating: 0, count: 19)
        for i in 0..<20 {
            let (image, labels) = world.cityScene("train", i)
            for p in labels.values.indices where labels.values[p] < 19 {
                let c = Int(labels.values[p])
                sums[c] += SIMD3(Float(image.pixels[3 * p]), Float(image.pixels[3 * p + 1]), Float(image.pixels[3 * p + 2]))
                counts[c] += 1
            }
        }
        let means = (0..<19).filter { counts[$0] > 0 }.map { sums[$0] / counts[$0] }
        return { image in
            (0..<(image.width * image.height)).map { p in
                let colour = SIMD3(Float(image.pixels[3 * p]), Float(image.pixels[3 * p + 1]), Float(image.pixels[3 * p + 2]))
                return means.map { (($0 - colour) * ($0 - colour)).sum() }.min()!
            }
        }
    }

    @Test("a colour-distance detector stays far from solving any test set", arguments: AnomalySet.allCases)
    func colourIsNotEnough(_ set: AnomalySet) throws {
        let world = SyntheticWorld(width: 160, height: 96, seed: 11)
        let score = Self.colourScore(world)
        var evaluation = try AnomalyEvaluation()
        for i in 0..<12 {
            let (image, labels) = world.anomaly(set, i)
            try evaluation.add(scores: score(image), labels: labels.values)
        }
        let report = try evaluation.report()
        print("colour-only detector on \(set.rawValue): AUROC \(report.auroc), AuPRC \(report.averagePrecision), FPR95 \(report.fpr)")
        #expect(report.auroc < 0.85 && report.fpr > 0.3, "\(set.rawValue) is too easy for colour alone")
    }
}

@Suite("The country context shifts the appearance of inlier classes")
struct ContextShiftTests {
    /// Mean colour of each class over scenes of one context.
    static func classMeans(_ context: StreetScene.Context) -> [UInt8: SIMD3<Float>] {
        var rng = SeededGenerator(seed: 21)
        var sums: [UInt8: SIMD3<Float>] = [:], counts: [UInt8: Float] = [:]
        for _ in 0..<12 {
            let (image, labels) = StreetScene.generate(context, width: 128, height: 64, using: &rng)
            for p in labels.values.indices where labels.values[p] < 19 {
                let c = labels.values[p]
                sums[c, default: .zero] += SIMD3(Float(image.pixels[3 * p]), Float(image.pixels[3 * p + 1]), Float(image.pixels[3 * p + 2]))
                counts[c, default: 0] += 1
            }
        }
        return sums.reduce(into: [:]) { $0[$1.key] = $1.value / counts[$1.key]! }
    }

    @Test("road, vegetation, terrain and sky look different in the country (mean colour moves by > 20 levels)")
    func appearance() {
        let city = Self.classMeans(.city), country = Self.classMeans(.country)
        for id: TrainId in [.road, .vegetation, .terrain, .sky] {
            guard let a = city[id.rawValue], let b = country[id.rawValue] else {
                Issue.record("\(id.name) missing from a context")
                continue
            }
            let shift = ((a - b) * (a - b)).sum().squareRoot()
            #expect(shift > 20, "\(id.name) moves by only \(shift)")
        }
    }
}
