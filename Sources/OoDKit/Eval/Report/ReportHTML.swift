import Foundation
import OoDMetrics
import SceneData

/// `report.html`: the evaluation as one self-contained page (inline CSS, SVG charts and
/// base64 PNGs; no script, nothing fetched). The results table (methods × sets, like the
/// paper's), the per-class IoU of the closed-set prediction, every trained stage's loss
/// terms over its steps, then per set: the example images beside their ground truth and
/// every method's heat map (RPL's Figure 1; `pixelood infer` draws overlays), ROC and
/// precision-recall curves of every method, and each method's inlier-vs-anomaly score
/// histogram (Figure 5).
struct ReportHTML {
    let report: EvalReport
    /// The widest picture in the example grid, in pixels (wider images are subsampled).
    static let thumbnailWidth = 256

    init(_ report: EvalReport) { self.report = report }

    /// The page.
    /// - Throws: ``ImageIOError`` when a picture cannot be encoded.
    func render() throws -> String {
        let sets = report.rows.map(\.dataset).distinctInOrder(), methods = report.rows.map(\.method).distinctInOrder()
        var html = ["<!DOCTYPE html>", "<html lang=\"en\"><head><meta charset=\"utf-8\">",
                    "<title>PixelOoD evaluation · \(escape(report.recipe))</title>", "<style>\(Self.style)</style></head><body>",
                    "<h1>PixelOoD evaluation</h1>", "<p class=\"meta\">\(metadata)</p>", "<h2>Results</h2>", table(sets: sets, methods: methods)]
        if let classIoU = report.classIoU, !classIoU.isEmpty { html += ["<h2>Closed-set segmentation</h2>", classTable(classIoU)] }
        if let curves = report.trainingCurves, !curves.isEmpty {
            html.append("<h2>Training</h2><div class=\"charts\">")
            html += curves.map(ReportCharts.trainingCurve)
            html.append("</div><p class=\"note\">Every loss term over its stage's steps, as the trainer logged it (means of up to \(TrainingCurve.maximumPoints) bins; the total is <i>loss</i>).</p>")
        }
        for set in sets {
            let rows = report.rows.filter { $0.dataset == set }
            html.append("<h2>\(escape(set))</h2>")
            html.append(try examples(set, methods: rows.map(\.method)))
            html.append("<div class=\"charts\">")
            html.append(ReportCharts.curves(rows.map { ($0.method, $0.pooled.pooled.roc) }, title: "ROC · \(set)",
                                            xName: "false positive rate", yName: "true positive rate", diagonal: true))
            html.append(ReportCharts.curves(rows.map { ($0.method, $0.pooled.pooled.precisionRecall) }, title: "Precision-recall · \(set)",
                                            xName: "recall", yName: "precision", diagonal: false))
            html.append("</div><div class=\"charts\">")
            for row in rows { if let distribution = row.distribution { html.append(ReportCharts.histogram(distribution, title: row.method)) } }
            html.append("</div>")
        }
        html += ["<p class=\"protocol\">\(escape(report.evaluationProtocol))</p>", "</body></html>"]
        return html.joined(separator: "\n") + "\n"
    }

    private var metadata: String {
        var parts = ["recipe <code>\(escape(report.recipe))</code>",
                     "checkpoint <code>\(escape(report.checkpoint.isEmpty ? "(recipe weights)" : report.checkpoint))</code>",
                     "segmenter hash <code>\(escape(report.segmenterHash))</code>", "PixelOoD \(escape(report.toolkitVersion))"]
        if let meanIoU = report.meanIoU { parts.append(String(format: "closed-set mIoU <b>%.2f</b>", 100 * meanIoU)) }
        parts.append(String(format: "%d backbone passes, %d from the feature store, %.1f s", report.backbonePasses, report.storeHits, report.seconds))
        return parts.joined(separator: " · ")
    }

    /// The per-class IoU on the validation split, one column per class, with its labelled pixels.
    private func classTable(_ classes: [ClassIoU]) -> String {
        let head = classes.map { "<th>\(escape($0.name))</th>" }.joined()
        let ious = classes.map { "<td>\($0.iou.map { String(format: "%.1f", 100 * $0) } ?? "—")</td>" }.joined()
        let pixels = classes.map { "<td>\($0.pixels)</td>" }.joined()
        return "<table><thead><tr><th></th>\(head)</tr></thead><tbody><tr><td class=\"m\">IoU</td>\(ious)</tr>"
            + "<tr><td class=\"m\">labelled px</td>\(pixels)</tr></tbody></table>"
    }

    /// Methods as rows, per set FPR95 ↓, AuPRC ↑, AUROC ↑ (pooled, percent); the best of each column in bold.
    private func table(sets: [String], methods: [String]) -> String {
        func row(_ set: String, _ method: String) -> EvalRow? { report.rows.first { $0.dataset == set && $0.method == method } }
        var html = ["<table><thead><tr><th rowspan=\"2\">method</th>"]
        html += sets.map { "<th colspan=\"3\">\(escape($0))</th>" }
        html.append("</tr><tr>" + String(repeating: "<th>FPR95 ↓</th><th>AuPRC ↑</th><th>AUROC ↑</th>", count: sets.count) + "</tr></thead><tbody>")
        let columns: [(EvalRow) -> Double] = [{ $0.pooled.fpr }, { $0.pooled.averagePrecision }, { $0.pooled.auroc }]
        for method in methods {
            var cells = ["<td class=\"m\">\(escape(method))</td>"]
            for set in sets {
                for (c, value) in columns.enumerated() {
                    guard let r = row(set, method) else { cells.append("<td>—</td>"); continue }
                    let all = methods.compactMap { row(set, $0).map(value) }.filter(\.isFinite)
                    let best = c == 0 ? all.min() : all.max()
                    let v = value(r)
                    cells.append(v == best && all.count > 1 ? String(format: "<td><b>%.2f</b></td>", 100 * v) : String(format: "<td>%.2f</td>", 100 * v))
                }
            }
            html.append("<tr>" + cells.joined() + "</tr>")
        }
        html.append("</tbody></table>")
        return html.joined(separator: "\n")
    }

    /// The example grid of one set: a row per image (image, ground truth, each method's heat map).
    private func examples(_ set: String, methods: [String]) throws -> String {
        let chosen = report.examples.filter { $0.dataset == set }
        guard !chosen.isEmpty else { return "" }
        var html = ["<table class=\"grid\"><thead><tr><th>image</th><th>ground truth</th>"]
        html += methods.map { "<th>\(escape($0))</th>" }
        html.append("</tr></thead><tbody>")
        for example in chosen {
            var cells = [try picture(example.image, alt: "\(set) image \(example.index)"),
                         try picture(Overlay.render(example.image, example.labels, anomalyLabels: true), alt: "ground truth")]
            for (method, map) in zip(methods, example.maps) {
                let range = HeatMap.range(of: map)
                cells.append(try picture(HeatMap.render(map, width: example.image.width, height: example.image.height, range: range), alt: method,
                                         caption: String(format: "%.3g … %.3g", range.lowerBound, range.upperBound)))
            }
            html.append("<tr>" + cells.map { "<td>\($0)</td>" }.joined() + "</tr>")
        }
        html.append("</tbody></table><p class=\"note\">Heat maps in inferno colours (bright = anomalous), each spanning its own image's score range (shown below it); red in the ground truth is anomaly, black void.</p>")
        return html.joined(separator: "\n")
    }

    /// An `<img>` of `image` subsampled to ``thumbnailWidth``, as a base64 PNG.
    private func picture(_ image: RGBImage, alt: String, caption: String? = nil) throws -> String {
        let png = try ImageIO.encodePNG(Self.thumbnail(image))
        let img = "<img alt=\"\(escape(alt))\" src=\"data:image/png;base64,\(png.base64EncodedString())\">"
        return caption.map { img + "<br><span class=\"c\">\(escape($0))</span>" } ?? img
    }

    /// `image` subsampled (nearest) to at most ``thumbnailWidth`` wide.
    static func thumbnail(_ image: RGBImage) -> RGBImage {
        guard image.width > thumbnailWidth else { return image }
        let width = thumbnailWidth, height = max(1, image.height * thumbnailWidth / image.width)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            let sy = y * image.height / height
            for x in 0..<width {
                let source = 3 * (sy * image.width + x * image.width / width), target = 3 * (y * width + x)
                pixels[target..<(target + 3)] = image.pixels[source..<(source + 3)]
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    private func escape(_ text: String) -> String { ReportCharts.escape(text) }

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1400px;padding:0 16px;color:#222}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:3px}
        .meta,.note,.protocol{color:#555;font-size:12.5px}code{font-size:12px;background:#f3f3f3;padding:0 3px;border-radius:3px}
        table{border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{padding:3px 8px;border-bottom:1px solid #e5e5e5;text-align:right}
        th{background:#fafafa;font-weight:600;text-align:center}td.m{text-align:left;white-space:nowrap}
        table.grid td{text-align:center;vertical-align:top;padding:4px}table.grid img{display:block;image-rendering:pixelated}
        table.grid th{font-size:12px;max-width:260px}.c{font-size:11px;color:#666}
        .charts{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0}
        svg .t{font-size:12.5px;font-weight:600}svg .a{font-size:10.5px;fill:#444}svg .l{font-size:10.5px}
        svg .f{fill:none;stroke:#999}svg .d{stroke:#bbb;stroke-dasharray:4 3}
        """
}
