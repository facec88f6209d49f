import Foundation
import OoDMetrics

/// One method on one anomaly set.
public struct EvalRow: Sendable, Codable {
    /// The anomaly set.
    public var dataset: String
    /// The score (or head) as the recipe names it.
    public var method: String
    /// Images, anomaly pixels and inlier pixels evaluated (void excluded).
    public var images: Int, anomalyPixels: Int, inlierPixels: Int
    /// The headline numbers: all pixels of the set in one ranking (the RPL/PEBAL protocol).
    public var pooled: AnomalyReport
    /// The mean over images that have both classes, reported beside the pooled numbers.
    public var perImageMean: AnomalyReport?
    /// SMIYC component metrics at the pooled best-F1 threshold, when the recipe asks.
    public var components: ComponentReport?
    /// The pooled inlier and anomaly scores in 50 bins (the report's histograms).
    public var distribution: ScoreDistribution?

    enum CodingKeys: String, CodingKey {
        case dataset, method, images, anomalyPixels = "anomaly_pixels", inlierPixels = "inlier_pixels"
        case pooled, perImageMean = "per_image_mean", components, distribution
    }
}

/// What `pixelood eval` measured, written as `report.json` and `report.md`.
public struct EvalReport: Sendable, Codable {
    /// The recipe file and the resolved text.
    public var recipe: String
    /// The evaluated checkpoint (empty: the recipe's initial weights).
    public var checkpoint: String
    /// ``StateDict/contentHash`` of the segmenter evaluated.
    public var segmenterHash: String
    /// The PixelOoD release.
    public var toolkitVersion: String
    /// How the numbers were computed.
    public var evaluationProtocol: String
    /// One row per (set, method).
    public var rows: [EvalRow]
    /// mIoU of the closed-set prediction on `data.val`, when the recipe has one.
    public var meanIoU: Double?
    /// The IoU of each class behind ``meanIoU`` (nil in reports written before it was kept).
    public var classIoU: [ClassIoU]?
    /// Backbone passes run and images served from the feature store.
    public var backbonePasses: Int, storeHits: Int
    /// Wall time.
    public var seconds: Double
    /// Every trained stage's loss terms over its steps, binned (nil in reports written
    /// before curves were kept).
    public var trainingCurves: [TrainingCurve]?
    /// The first images of each set with every method's map, for `report.html` (not in
    /// `report.json`: empty in a report read back).
    public var examples: [ReportExample] = []

    enum CodingKeys: String, CodingKey {
        case recipe, checkpoint, segmenterHash = "segmenter_hash", toolkitVersion = "toolkit_version"
        case evaluationProtocol = "protocol", rows, meanIoU = "mean_iou", classIoU = "class_iou", backbonePasses = "backbone_passes"
        case storeHits = "store_hits", seconds, trainingCurves = "training_curves"
    }

    /// The table: FPR95 ↓, AuPRC ↑, AUROC ↑ in percent (pooled), per set and method.
    public var markdown: String {
        var lines = ["# Evaluation", "", "Recipe `\(recipe)`, checkpoint `\(checkpoint.isEmpty ? "(recipe weights)" : checkpoint)`, "
                     + "segmenter hash `\(segmenterHash)`, PixelOoD \(toolkitVersion).", "", evaluationProtocol, ""]
        if let meanIoU { lines += [String(format: "Closed-set mIoU on the validation split: %.2f", 100 * meanIoU), ""] }
        if let classIoU { lines += ["Per-class IoU on the validation split:", ""] + ClassIoU.markdown(classIoU) + [""] }
        lines += ["| set | method | FPR95 ↓ | AuPRC ↑ | AUROC ↑ | images | anomaly px | inlier px |", "|---|---|---|---|---|---|---|---|"]
        for row in rows {
            lines.append(String(format: "| %@ | %@ | %.2f | %.2f | %.2f | %d | %d | %d |", row.dataset, row.method,
                                100 * row.pooled.fpr, 100 * row.pooled.averagePrecision, 100 * row.pooled.auroc,
                                row.images, row.anomalyPixels, row.inlierPixels))
        }
        let componentRows = rows.filter { $0.components != nil }
        if !componentRows.isEmpty {
            lines += ["", "Component level (SMIYC definitions, at each score's pixel-level best-F1 threshold):", "",
                      "| set | method | sIoU ↑ | PPV ↑ | mean F1 ↑ | gt components | predicted components |", "|---|---|---|---|---|---|---|"]
            for row in componentRows {
                guard let c = row.components else { continue }
                lines.append(String(format: "| %@ | %@ | %.2f | %.2f | %.2f | %d | %d |", row.dataset, row.method, 100 * c.meanSIoU,
                                    100 * c.meanPPV, 100 * c.meanF1, c.groundTruthComponents, c.predictedComponents))
            }
        }
        let curves = (trainingCurves ?? []).compactMap { curve in curve.startAndEnd.map { (curve, $0) } }
        if !curves.isEmpty {
            lines += ["", "Training (each term's mean over the first and the last tenth of its steps; curves in report.html):", "",
                      "| stage | term | start | end | steps |", "|---|---|---|---|---|"]
            for (curve, ends) in curves {
                lines.append(String(format: "| %@ | %@ | %.4g | %.4g | %d |", curve.stage, curve.term, ends.start, ends.end, curve.steps.last ?? 0))
            }
        }
        lines += ["", String(format: "%d backbone passes, %d images from the feature store, %.1f s.", backbonePasses, storeHits, seconds)]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `report.json`, `report.md` and the self-contained `report.html` (figures and
    /// pictures inline, no network needed) into `folder`, each atomically.
    public func write(to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try JSONEncoder.reports.encode(self).write(to: URL(fileURLWithPath: folder + "/report.json"), options: .atomic)
        try Data(markdown.utf8).write(to: URL(fileURLWithPath: folder + "/report.md"), options: .atomic)
        try Data(try ReportHTML(self).render().utf8).write(to: URL(fileURLWithPath: folder + "/report.html"), options: .atomic)
    }
}
