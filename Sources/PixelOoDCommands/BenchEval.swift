import ArgumentParser
import Foundation
import ModelZoo
import NeuralNet
import OoDKit
import TensorCore

/// `pixelood bench eval`: the evaluator's inner loop — one backbone pass and the logit
/// scores per image — in images per second, with four scores and with one (the cost of
/// more scores on one backbone pass).
struct BenchEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Benchmark the evaluation loop: one frozen forward plus the four logit scores per image.",
        discussion: "Random weights and images; BN folded. Compare with scripts/bench/torch_eval.py (same model and loop).")

    @OptionGroup var segmenter: SegmenterBenchArguments

    @Option(help: "Timed images (after one warm-up).")
    var images = 4

    func validate() throws {
        guard images > 0, segmenter.height >= 32, segmenter.width >= 32 else { throw ValidationError("--images must be positive, the size at least 32x32") }
    }

    func run() throws {
        try BLAS.load()
        let model = try segmenter.buildSegmenter(seed: 0)
        let (height, width, backbone, outputStride) = (segmenter.height, segmenter.width, segmenter.backbone, segmenter.outputStride)
        model.eval().freeze().foldBatchNorms()
        let scores = LogitScoring([MaxSoftmaxScore(), MaxLogitScore(), EntropyScore(), EnergyScore()])
        var rng = SeededGenerator(seed: 1)
        let inputs = (0...images).map { _ in Tensor.normal([1, 3, height, width], using: &rng) }
        func loop(_ using: LogitScoring) -> Double {
            var checksum: Float = 0
            let start = DispatchTime.now()
            for image in inputs.dropFirst() {
                GradMode.noGrad {
                    let logits = model(image).logits
                    for map in using(logits: logits) { checksum += map.withUnsafeBufferPointer { $0[0] } }
                }
            }
            _ = checksum  // keeps the scores from being optimised away
            return Double(images) / (Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
        }
        _ = GradMode.noGrad { model(inputs[0]).logits }  // warm-up
        let four = loop(scores), one = loop(LogitScoring([EnergyScore()]))
        print(String(format: "%@ OS%d %dx%d eval loop: %.3f images/s with 4 scores, %.3f with 1 (4 scores cost %.3fx one), core %@",
                     backbone, outputStride, height, width, four, one, one / four, BLAS.coreName))
    }
}
