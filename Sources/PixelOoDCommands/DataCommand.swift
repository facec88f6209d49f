import ArgumentParser
import Foundation
import Synchronization
import OoDKit
import SceneData

/// `pixelood data`: the built-in synthetic driving world.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Generate and preview the built-in synthetic driving world.",
        subcommands: [Synth.self, Preview.self])

    /// `pixelood data synth`.
    struct Synth: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the synthetic world in Cityscapes / outlier / anomaly-benchmark layouts.",
            discussion: "Layout: see SyntheticWorld in Sources/SceneData. Deterministic in --seed and --size.")

        @Option(help: "Output directory.") var out: String
        @Option(help: "Training scenes (city).") var train = 200
        @Option(help: "Validation scenes (city).") var val = 50
        @Option(help: "Outlier-exposure objects.") var outliers = 100
        @Option(help: "Images per anomaly test set (static, obstacle, country); 100 gives each set over 50k anomaly pixels at 512x256.") var test = 100
        @Option(name: .customLong("oe-val"), help: "Images of the outlier-exposure validation set (validation scenes with held-out outlier-exposure objects pasted as in training; default: as many as --test).") var oeVal: Int?
        @Option(help: "Image size as HEIGHTxWIDTH.") var size = "256x512"
        @Option(help: "Seed of the world.") var seed: UInt64 = 0
        @Option(name: .customLong("oe-resampling"),
                help: "How the outlier-exposure validation set's objects are resampled (match the recipe's data.outliers.resampling).")
        var oeResampling = OutlierExposure.defaultResampling
        @Option(name: .customLong("oe-families"),
                help: "The outlier-exposure families: all (the default: balls, chairs, bags, lamps and eight varied ones) or classic (the first four only, as generator versions 1 and 2).")
        var oeFamilies = SyntheticWorld.OutlierFamilies.all
        @Option(name: .customLong("oe-camouflage"),
                help: "Probability that an object of the outlier-exposure validation set takes the colour of its surroundings (match the recipe's data.outliers.camouflage).")
        var oeCamouflage: Float = 0
        @OptionGroup var progress: ProgressArgument

        func validate() throws {
            guard (0...1).contains(oeCamouflage) else { throw ValidationError("--oe-camouflage must be a probability in [0, 1], got \(oeCamouflage)") }
        }

        func run() throws {
            let (height, width) = try parseSize(size)
            let world = SyntheticWorld(width: width, height: height, seed: seed, outlierResampling: oeResampling, outlierFamilies: oeFamilies,
                                       outlierCamouflage: oeCamouflage)
            try Self.write(world,
                           counts: .init(train: train, val: val, outliers: outliers, perAnomalySet: test, outlierExposureValidation: oeVal),
                           to: out, progress: progress.style)
        }

        /// Writes `world` with progress and prints what it wrote (`data synth`, `quickstart`).
        static func write(_ world: SyntheticWorld, counts: SyntheticWorld.Counts, to out: String, progress: ProgressStyle) throws {
            let start = Date()
            let total = counts.total
            let reporter = Mutex(ProgressReporter(stage: "synth images", total: total, style: progress))
            try world.write(to: out, counts: counts) { done, _ in reporter.withLock { $0.update(step: done) } }
            let seconds = Date().timeIntervalSince(start)
            printNow(String(format: "wrote %d images to %@ in %.1f s (%.1f images/s)", total, out, seconds, Double(total) / seconds))
        }
    }

    /// `pixelood data preview`.
    struct Preview: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write scenes beside their label overlays as PNGs (for docs/images).")

        @Option(help: "Output directory.") var out = "docs/images"
        @Option(help: "Image size as HEIGHTxWIDTH.") var size = "256x512"
        @Option(help: "Seed of the world.") var seed: UInt64 = 0

        func run() throws {
            let (height, width) = try parseSize(size)
            let world = SyntheticWorld(width: width, height: height, seed: seed)
            var written: [String] = []
            for i in 0..<2 {
                let (image, labels) = world.cityScene("train", i)
                let path = "\(out)/city_\(i).png"
                try ImageIO.writePNG(Overlay.sideBySide(image, Overlay.render(image, labels, anomalyLabels: false)), to: path)
                written.append(path)
            }
            for set in AnomalySet.allCases {
                let (image, labels) = world.anomaly(set, 0)
                let path = "\(out)/anomaly_\(set.rawValue).png"
                try ImageIO.writePNG(Overlay.sideBySide(image, Overlay.render(image, labels, anomalyLabels: true)), to: path)
                written.append(path)
            }
            let (image, labels) = world.outlierExposureValidation(0)
            let path = "\(out)/anomaly_oe_val.png"
            try ImageIO.writePNG(Overlay.sideBySide(image, Overlay.render(image, labels, anomalyLabels: true)), to: path)
            written.append(path)
            print(written.joined(separator: "\n"))
        }
    }
}

/// Parses "HEIGHTxWIDTH".
func parseSize(_ text: String) throws -> (Int, Int) {
    let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
    guard parts.count == 2, parts[0] >= 32, parts[1] >= 32 else {
        throw ValidationError("--size must be HEIGHTxWIDTH with both at least 32, got '\(text)'")
    }
    return (parts[0], parts[1])
}

extension OutlierExposure.Resampling: ExpressibleByArgument {}
extension SyntheticWorld.OutlierFamilies: ExpressibleByArgument {}
