import ArgumentParser
import Foundation
import ModelZoo
import NeuralNet
import OoDKit
import TensorCore

/// `pixelood bench model`: frozen forward time and peak memory of one segmenter, or one
/// RPL-shaped training step; run once per backbone (peak memory is per process).
struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Benchmark a segmenter's frozen forward pass (or an RPL-shaped training step).",
        discussion: """
            Weights are random (speed does not depend on them). The forward runs in eval mode \
            without a tape, batch norms folded. --rpl-step times one training step instead: a \
            frozen ResNet-50 DeepLabV3+ forward without tape, a trainable ASPP-sized block \
            (ASPP + 1280→256 + 256→304) on the backbone feature added to dec0, the frozen final \
            block, and backward into the block. Compare with scripts/bench/torch_models.py.
            """)

    @OptionGroup var segmenter: SegmenterBenchArguments

    @Option(help: "Batch size.")
    var batch = 1

    @Option(help: "Timed repetitions (the median is reported).")
    var repeats = 3

    @Flag(help: "Time the RPL-shaped training step (ResNet-50, 512x512, batch 2 by default of the issue).")
    var rplStep = false

    func run() throws {
        try BLAS.load()
        var rng = SeededGenerator(seed: 0)
        let model = try segmenter.buildSegmenter(seed: 0)
        let (height, width, backbone, outputStride) = (segmenter.height, segmenter.width, segmenter.backbone, segmenter.outputStride)
        model.eval().freeze()
        let image = Tensor.normal([batch, 3, height, width], using: &rng)
        let step: () -> String?  // returns the phase breakdown where there is one
        if rplStep {
            guard let deeplab = model as? DeepLabV3Plus else { throw ValidationError("--rpl-step needs a DeepLabV3+ backbone") }
            deeplab.foldBatchNorms()  // the frozen segmenter, as a PixelOoD trainer runs it
            let block = try ResidualBlockProbe(deeplab, using: &rng)
            step = { block.trainingStep(image) }
        } else {
            model.foldBatchNorms()
            step = { _ = GradMode.noGrad { model(image).logits }; return nil }
        }
        _ = step()  // warm-up
        var times: [Double] = [], phases: String?
        for _ in 0..<repeats {
            let start = DispatchTime.now()
            phases = step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
        }
        let what = rplStep ? "RPL-shaped training step" : "frozen forward"
        print(String(format: "%@ %@ OS%d %dx%dx%d: %.3f s (median of %d), peak memory %.0f MB, core %@", backbone, what, outputStride,
                     batch, height, width, times.sorted()[times.count / 2], repeats, PeakMemory.megabytes, BLAS.coreName))
        if let phases { print("  phases of the last step: " + phases) }
    }
}

/// The trainable part of an RPL step, for benchmarking only: an ASPP on the backbone
/// feature, 1280→256, upsampling to the low-level size and 256→decoder-width convs, whose
/// output is added to `dec0` before the frozen final block.
final class ResidualBlockProbe {
    let segmenter: DeepLabV3Plus
    let aspp: ASPP
    let bottleneck: Conv2d, toDecoder: Conv2d

    init(_ segmenter: DeepLabV3Plus, using rng: inout SeededGenerator) throws {
        self.segmenter = segmenter
        let z = try segmenter.backbone.info("out", for: "bench --rpl-step")
        aspp = ASPP(input: z.channels, outputStride: z.stride <= 8 ? .eight : .sixteen, using: &rng)
        bottleneck = Conv2d(inputChannels: aspp.outputChannels, outputChannels: 256, kernelSize: (1, 1), bias: false, using: &rng)
        toDecoder = Conv2d(inputChannels: 256, outputChannels: segmenter.decoderChannels, kernelSize: (1, 1), bias: false, using: &rng)
    }

    /// One step; returns the time of each phase.
    func trainingStep(_ image: Tensor) -> String {
        var clock = PhaseClock()
        let frozen = GradMode.noGrad { segmenter(image) }
        clock.mark("frozen forward")
        let low = frozen.decoderFeatures
        guard let z = frozen.features["out"] else { contractViolation("DeepLabV3+ output has no 'out' feature") }
        let residual = toDecoder(bottleneck(aspp(z))
            .resizeBilinear(to: (low.shape[2], low.shape[3]), alignCorners: true))
        clock.mark("residual forward")
        let loss = segmenter.classify(low + residual, outputSize: (image.shape[2], image.shape[3]))
            .logsumexp(axis: 1).relu().mean()
        clock.mark("final block + loss")
        loss.backward()
        clock.mark("backward")
        return clock.summary
    }
}

/// Wall-clock time between named points of one step.
struct PhaseClock {
    private var start = DispatchTime.now()
    private var phases: [(String, Double)] = []

    mutating func mark(_ name: String) {
        let now = DispatchTime.now()
        phases.append((name, Double(now.uptimeNanoseconds - start.uptimeNanoseconds) / 1e9))
        start = now
    }

    var summary: String { phases.map { String(format: "%@ %.2f s", $0.0, $0.1) }.joined(separator: ", ") }
}
