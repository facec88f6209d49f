import ArgumentParser
import Foundation
import ModelZoo
import NeuralNet
import OoDKit
import TensorCore

/// `pixelood bench model`: frozen forward time and peak memory of one segmenter; run once
/// per backbone (peak memory is per process). The training step is `bench step`'s.
struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Benchmark a segmenter's frozen forward pass.",
        discussion: """
            Weights are random (speed does not depend on them). The forward runs in eval mode \
            without a tape, batch norms folded, as evaluation and infer run it. Compare with \
            scripts/bench/torch_models.py. A training step (the trainer's own, unfolded) is \
            `pixelood bench step RECIPE`.
            """)

    @OptionGroup var segmenter: SegmenterBenchArguments

    @Option(help: "Batch size.")
    var batch = 1

    @Option(help: "Timed repetitions (the median is reported).")
    var repeats = 3

    @Flag(help: "Then profile --repeats more forwards: wall time per op and the peak of live tensor memory by op (scripts/bench/torch_models.py --profile for PyTorch's).")
    var profile = false

    func run() throws {
        try BLAS.load()
        var rng = SeededGenerator(seed: 0)
        let model = try segmenter.buildSegmenter(seed: 0)
        let (height, width, backbone, outputStride) = (segmenter.height, segmenter.width, segmenter.backbone, segmenter.outputStride)
        model.eval().freeze()
        let image = Tensor.normal([batch, 3, height, width], using: &rng)
        model.foldBatchNorms()
        let step = { _ = GradMode.noGrad { model(image).logits } }
        step()  // warm-up
        var times: [Double] = []
        let cache = CacheActivity()
        for _ in 0..<repeats {
            let start = DispatchTime.now()
            step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
        }
        print(String(format: "%@ frozen forward OS%d %dx%dx%d: %.3f s (median of %d), peak memory %.0f MB, core %@", backbone, outputStride,
                     batch, height, width, times.sorted()[times.count / 2], repeats, PeakMemory.megabytes, BLAS.coreName))
        print(cache.line(over: "the \(repeats) timed forwards"))
        guard profile else { return }
        let profiled = OpProfile()
        profiled.measure { for _ in 0..<repeats { step() } }
        print("\nwhere the time goes, per forward (\(repeats) profiled; an op is charged the time since the previous op):")
        print(profiled.report(per: repeats))
        print("\n" + profiled.memoryReport())
    }
}
