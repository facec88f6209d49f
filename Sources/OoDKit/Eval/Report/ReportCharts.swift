import Foundation
import OoDMetrics

/// The report's charts as inline SVG: curves per method on [0, 1]², the inlier/anomaly
/// histogram of one method's scores, and one loss term's training curve.
enum ReportCharts {
    /// Ten distinguishable line colours (Tableau 10), by method position.
    static let colours = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    static func colour(_ index: Int) -> String { colours[index % colours.count] }

    /// One line per method over [0, 1]² with axes, ticks, axis names and a legend.
    static func curves(_ lines: [(label: String, points: [CurvePoint])], title: String, xName: String, yName: String,
                       diagonal: Bool) -> String {
        let (width, height, left, right, top, bottom) = (380.0, 300.0, 46.0, 12.0, 26.0, 40.0)
        let (plotW, plotH) = (width - left - right, height - top - bottom)
        func x(_ v: Double) -> String { format(left + max(0, min(1, v)) * plotW) }
        func y(_ v: Double) -> String { format(top + (1 - max(0, min(1, v))) * plotH) }
        var svg = ["<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\">",
                   "<title>\(escape(title))</title>",
                   "<text x=\"\(format(width / 2))\" y=\"16\" text-anchor=\"middle\" class=\"t\">\(escape(title))</text>"]
        svg += axes(left: left, top: top, plotW: plotW, plotH: plotH, xName: xName, yName: yName, xLabels: (0...4).map { String(format: "%.2g", Double($0) / 4) })
        if diagonal { svg.append("<line x1=\"\(x(0))\" y1=\"\(y(0))\" x2=\"\(x(1))\" y2=\"\(y(1))\" class=\"d\"/>") }
        for (index, line) in lines.enumerated() where !line.points.isEmpty {
            let path = line.points.map { "\(x($0.x)),\(y($0.y))" }.joined(separator: " ")
            svg.append("<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour(index))\" stroke-width=\"1.8\"><title>\(escape(line.label))</title></polyline>")
        }
        // The legend goes where curves of better-than-chance methods leave room: bottom right on
        // ROC axes (below the diagonal), top right on precision-recall axes.
        let legendTop = diagonal ? top + plotH - 6 - Double(lines.count) * 14 : top + 4
        for (index, line) in lines.enumerated() {
            let ly = legendTop + 8 + Double(index) * 14
            svg.append("<rect x=\"\(format(left + plotW - 128))\" y=\"\(format(ly - 8))\" width=\"10\" height=\"3\" fill=\"\(colour(index))\"/>")
            svg.append("<text x=\"\(format(left + plotW - 114))\" y=\"\(format(ly - 3))\" class=\"l\">\(escape(short(line.label)))</text>")
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    /// The inlier and anomaly pixels of one method as two outlined histograms over its score
    /// bins, each normalised to its own pixel count (so a few anomaly pixels show beside many inliers).
    static func histogram(_ distribution: ScoreDistribution, title: String) -> String {
        let (width, height, left, right, top, bottom) = (300.0, 200.0, 40.0, 10.0, 26.0, 36.0)
        let (plotW, plotH) = (width - left - right, height - top - bottom)
        let bins = distribution.inliers.count
        let inlierTotal = max(1, distribution.inliers.reduce(0, +)), anomalyTotal = max(1, distribution.anomalies.reduce(0, +))
        let inliers = distribution.inliers.map { Double($0) / Double(inlierTotal) }
        let anomalies = distribution.anomalies.map { Double($0) / Double(anomalyTotal) }
        let peak = max(inliers.max() ?? 0, anomalies.max() ?? 0, 1e-12)
        func step(_ fractions: [Double]) -> String {
            var points = ["\(format(left)),\(format(top + plotH))"]
            for (i, f) in fractions.enumerated() {
                let y = format(top + plotH * (1 - f / peak))
                points += ["\(format(left + Double(i) / Double(bins) * plotW)),\(y)", "\(format(left + Double(i + 1) / Double(bins) * plotW)),\(y)"]
            }
            points.append("\(format(left + plotW)),\(format(top + plotH))")
            return points.joined(separator: " ")
        }
        let ticks = (0...2).map { String(format: "%.3g", Double(distribution.low) + Double($0) / 2 * (Double(distribution.high) - Double(distribution.low))) }
        var svg = ["<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\">",
                   "<title>\(escape(title))</title>",
                   "<text x=\"\(format(width / 2))\" y=\"16\" text-anchor=\"middle\" class=\"t\">\(escape(short(title, 44)))</text>"]
        svg += axes(left: left, top: top, plotW: plotW, plotH: plotH, xName: "score", yName: "share", xLabels: ticks, yLabels: [])
        svg.append("<polyline points=\"\(step(inliers))\" fill=\"#4e79a7\" fill-opacity=\"0.25\" stroke=\"#4e79a7\" stroke-width=\"1.2\"/>")
        svg.append("<polyline points=\"\(step(anomalies))\" fill=\"#e15759\" fill-opacity=\"0.25\" stroke=\"#e15759\" stroke-width=\"1.2\"/>")
        svg.append("<text x=\"\(format(left + 6))\" y=\"\(format(top + 10))\" class=\"l\" fill=\"#4e79a7\">inliers (\(distribution.inliers.reduce(0, +)) px)</text>")
        svg.append("<text x=\"\(format(left + 6))\" y=\"\(format(top + 23))\" class=\"l\" fill=\"#e15759\">anomalies (\(distribution.anomalies.reduce(0, +)) px)</text>")
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    /// One training curve: its binned values over the steps, the y axis spanning their range.
    static func trainingCurve(_ curve: TrainingCurve) -> String {
        let (width, height, left, right, top, bottom) = (300.0, 190.0, 50.0, 10.0, 26.0, 36.0)
        let (plotW, plotH) = (width - left - right, height - top - bottom)
        let low = curve.values.min() ?? 0, high = curve.values.max() ?? 1
        let span = high > low ? high - low : max(abs(high), 1)
        let (bottomValue, topValue) = high > low ? (low, high) : (low - span / 2, high + span / 2)
        let lastStep = Double(max(1, curve.steps.last ?? 1))
        func x(_ step: Int) -> String { format(left + Double(step) / lastStep * plotW) }
        func y(_ v: Double) -> String { format(top + (1 - (v - bottomValue) / (topValue - bottomValue)) * plotH) }
        let title = curve.stage + " · " + curve.term
        var svg = ["<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\">",
                   "<title>\(escape(title))</title>",
                   "<text x=\"\(format(width / 2))\" y=\"16\" text-anchor=\"middle\" class=\"t\">\(escape(short(title, 44)))</text>"]
        let yLabels = (0...4).map { String(format: "%.3g", bottomValue + Double($0) / 4 * (topValue - bottomValue)) }
        svg += axes(left: left, top: top, plotW: plotW, plotH: plotH, xName: "step", yName: curve.term,
                    xLabels: (0...2).map { String(Int(lastStep) * $0 / 2) }, yLabels: yLabels)
        let path = zip(curve.steps, curve.values).map { "\(x($0)),\(y($1))" }.joined(separator: " ")
        svg.append("<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(colour(0))\" stroke-width=\"1.6\"/>")
        svg.append("</svg>")
        return svg.joined(separator: "\n")
    }

    /// The frame, evenly spaced x tick labels, evenly spaced y tick labels bottom to top (0…1
    /// unless given; none for an empty list) and axis names.
    private static func axes(left: Double, top: Double, plotW: Double, plotH: Double, xName: String, yName: String,
                             xLabels: [String], yLabels: [String] = (0...4).map { String(format: "%.2g", Double($0) / 4) }) -> [String] {
        var svg = ["<rect x=\"\(format(left))\" y=\"\(format(top))\" width=\"\(format(plotW))\" height=\"\(format(plotH))\" class=\"f\"/>"]
        for (i, label) in xLabels.enumerated() {
            let x = left + Double(i) / Double(max(1, xLabels.count - 1)) * plotW
            let anchor = i == 0 ? "start" : i == xLabels.count - 1 ? "end" : "middle"
            svg.append("<text x=\"\(format(x))\" y=\"\(format(top + plotH + 14))\" text-anchor=\"\(anchor)\" class=\"a\">\(escape(label))</text>")
        }
        for (i, label) in yLabels.enumerated() {
            let y = top + (1 - Double(i) / Double(max(1, yLabels.count - 1))) * plotH
            svg.append("<text x=\"\(format(left - 5))\" y=\"\(format(y + 3))\" text-anchor=\"end\" class=\"a\">\(escape(label))</text>")
        }
        svg.append("<text x=\"\(format(left + plotW / 2))\" y=\"\(format(top + plotH + 30))\" text-anchor=\"middle\" class=\"a\">\(escape(xName))</text>")
        svg.append("<text transform=\"translate(12 \(format(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\" class=\"a\">\(escape(yName))</text>")
        return svg
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    /// `text` cut to `limit` characters with an ellipsis.
    static func short(_ text: String, _ limit: Int = 22) -> String { text.count <= limit ? text : String(text.prefix(limit - 1)) + "…" }

    /// `text` safe inside HTML or SVG text and attributes.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
