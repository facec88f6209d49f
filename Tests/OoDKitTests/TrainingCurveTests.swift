import Foundation
import Testing
import OoDKit
import PixelOoDTestSupport

@Suite("Training curves read back from log.jsonl")
struct TrainingCurveTests {
    /// A log of `steps` lines in the trainer's format, terms written in the order given.
    func writeLog(_ folder: URL, stage: String, steps: Int, nanAt: Int? = nil) throws {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(stage), withIntermediateDirectories: true)
        let lines = (1...steps).map { step -> String in
            let energy = step == nanAt ? "\"nan\"" : "\(Double(steps - step))"
            return "{\"stage\": \"\(stage)\", \"step\": \(step), \"lr\": 0.001, \"loss\": \(Double(step) * 0.5), "
                + "\"terms\": {\"rpl.positive_energy\": \(energy), \"rpl.inlier\": 0.25}, \"seconds\": 0.1000}"
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("\(stage)/log.jsonl"))
    }

    @Test("total first, then the terms in the log's order; a short run keeps every step")
    func order() throws {
        let folder = try scratchDirectory("curves")
        try writeLog(folder, stage: "rpl", steps: 7)
        let curves = TrainingCurve.read(RunLayout(folder.path), stages: ["rpl", "never-trained"])
        #expect(curves.map(\.term) == ["loss", "rpl.positive_energy", "rpl.inlier"])
        #expect(curves[0].steps == Array(1...7) && curves[0].values == (1...7).map { Double($0) * 0.5 })
        #expect(curves[2].values == Array(repeating: 0.25, count: 7))
    }

    @Test("a long run is binned to at most 200 means; a non-finite value is left out of its bin")
    func binning() throws {
        let folder = try scratchDirectory("curves-long")
        try writeLog(folder, stage: "rpl", steps: 1000, nanAt: 3)
        let curves = TrainingCurve.read(RunLayout(folder.path), stages: ["rpl"])
        let energy = try #require(curves.first { $0.term == "rpl.positive_energy" })
        // 999 finite points in bins of 5: steps 1, 2, 4, 5, 6 (step 3 logged NaN), then 7-11, …
        #expect(energy.steps.count == 200 && energy.steps.first == 6 && energy.steps.last == 1000)
        let firstBin: [Double] = [999, 998, 996, 995, 994], secondBin: [Double] = [993, 992, 991, 990, 989]
        #expect(energy.values[0] == firstBin.reduce(0, +) / 5)
        #expect(energy.values[1] == secondBin.reduce(0, +) / 5)
        let ends = try #require(energy.startAndEnd)
        #expect(ends.start > ends.end)
    }
}
