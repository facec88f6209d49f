import ArgumentParser
import Foundation
import OoDKit
import SceneData
import TensorCore

/// `pixelood infer CKPT IMAGE…`: anomaly heat map, overlay and closed-set prediction per image.
struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Write each image's anomaly heat map, heat-map overlay and closed-set prediction as PNGs.",
        discussion: """
            CKPT is a checkpoint pixelood train wrote (a stage's final.h5): the recipe it records \
            rebuilds the segmenter and, when the checkpoint holds one, the stage's head, whose \
            score is the anomaly map (RPL's energy after the residual, DUQ's distance, …); a \
            segmenter-only checkpoint is scored with its recipe's first eval.scores, else max_logit \
            (--score picks another). Per image <stem>_anomaly.png (inferno colours: bright = \
            anomalous), <stem>_overlay.png (the heat map over the image) and <stem>_prediction.png \
            (Cityscapes colours) go into --out. Each map spans its own image's score range unless \
            --range fixes one for all images, which makes them comparable.
            """)

    @Argument(help: "A checkpoint written by pixelood train (it records its recipe).")
    var checkpoint: String

    @Argument(help: "PNG or JPEG images.")
    var images: [String]

    @Option(help: "Output folder.")
    var out = "runs/infer"

    @Option(help: "A logit score instead of the head's (YAML: max_logit, energy, '{type: entropy, normalized: true}').")
    var score: String?

    @Option(help: "The score range mapped to the colour map, LOW,HIGH (default: each image's own).")
    var range: String?

    func validate() throws {
        if images.isEmpty { throw ValidationError("give at least one image") }
        _ = try parsedRange()
    }

    func run() throws {
        try BLAS.load()
        let mapper = try AnomalyMapper(checkpoint: checkpoint, registry: CommandContext.registry, score: score)
        let fixed = try parsedRange()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        print("\(checkpoint): anomaly map = \(mapper.method)")
        for path in images {
            let image = try ImageIO.readRGB(path)
            let map = try mapper(image)
            let range = fixed ?? HeatMap.range(of: map.scores)
            let stem = out + "/" + URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            try ImageIO.writePNG(HeatMap.render(map.scores, width: image.width, height: image.height, range: range), to: stem + "_anomaly.png")
            try ImageIO.writePNG(HeatMap.overlay(image, map.scores, range: range), to: stem + "_overlay.png")
            try ImageIO.writePNG(Overlay.render(image, map.prediction, anomalyLabels: false, alpha: 1), to: stem + "_prediction.png")
            print(String(format: "%@ -> %@_{anomaly,overlay,prediction}.png (scores %.3g … %.3g)", path, stem, range.lowerBound, range.upperBound))
        }
    }

    private func parsedRange() throws -> ClosedRange<Float>? {
        guard let range else { return nil }
        let parts = range.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, parts[0].isFinite, parts[1].isFinite, parts[0] < parts[1] else {
            throw ValidationError("--range must be LOW,HIGH with LOW < HIGH, got '\(range)'")
        }
        return parts[0]...parts[1]
    }
}
