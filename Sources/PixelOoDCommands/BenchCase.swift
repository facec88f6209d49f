import Foundation
import TensorCore

/// One benchmarked op: how to build its inputs and run it, and its floating-point work.
struct BenchCase {
    let name: String
    /// Multiply-adds ×2 of the forward pass (0 where GFLOP/s means nothing).
    let forwardFlops: Double
    /// Builds fresh inputs (requiring grad) and returns the op applied to them.
    let run: () -> Tensor

    /// The ops of the engine benchmark, at the sizes `scripts/bench/torch_ops.py` uses.
    static func all() -> [BenchCase] {
        var rng = SeededGenerator(seed: 0)
        func input(_ shape: [Int]) -> Tensor { Tensor.normal(shape, using: &rng) }
        func conv(_ name: String, c: Int, o: Int, h: Int, w: Int, k: Int, dilation: Int = 1, groups: Int = 1, batch: Int = 1) -> BenchCase {
            let x = input([batch, c, h, w]).requiringGrad()
            let weight = (input([o, c / groups, k, k]) * 0.05).requiringGrad()
            let pad = dilation * (k / 2)
            let flops = 2.0 * Double(batch * o * (c / groups) * k * k * h * w)
            return BenchCase(name: name, forwardFlops: flops) {
                x.conv2d(weight: weight, padding: (pad, pad), dilation: (dilation, dilation), groups: groups)
            }
        }
        let a = input([2048, 2048]), b = input([2048, 2048])
        let bnInput = input([2, 64, 128, 256]).requiringGrad()
        let gamma = Tensor.ones([64]).requiringGrad(), beta = Tensor.zeros([64]).requiringGrad()
        let resizeInput = input([1, 19, 128, 256]).requiringGrad()
        // The RPL + CoroCL step's logits: 4 crops, 19 classes, 256×512.
        let logits = input([4, 19, 256, 512]).requiringGrad(), positive = (input([4, 19, 256, 512]).abs() + 0.01).requiringGrad()
        return [
            BenchCase(name: "sgemm 2048x2048", forwardFlops: 2 * pow(2048, 3)) { a.matmul(b) },
            conv("conv3x3 64->64 128x256", c: 64, o: 64, h: 128, w: 256, k: 3),
            conv("conv3x3 256->256 d2 64x128", c: 256, o: 256, h: 64, w: 128, k: 3, dilation: 2),
            conv("conv1x1 256->256 128x256", c: 256, o: 256, h: 128, w: 256, k: 1),
            conv("depthwise3x3 144 128x256", c: 144, o: 144, h: 128, w: 256, k: 3, groups: 144),
            conv("aspp3x3 2048->256 d12 2x64x64", c: 2048, o: 256, h: 64, w: 64, k: 3, dilation: 12, batch: 2),
            // The full-tier RPL step's frozen ASPP (width / 4, 4 crops + 4 context images at 256×512):
            // dilation 24 and 36 on 32×64 features, where most kernel taps read padding.
            conv("aspp3x3 512->64 d24 8x32x64", c: 512, o: 64, h: 32, w: 64, k: 3, dilation: 24, batch: 8),
            conv("aspp3x3 512->64 d36 8x32x64", c: 512, o: 64, h: 32, w: 64, k: 3, dilation: 36, batch: 8),
            // LDN-121's DenseNet growth layers (128 -> 32, 3x3) at strides 4 and 16, and its decoder's 512 -> 256.
            conv("conv3x3 128->32 128x256", c: 128, o: 32, h: 128, w: 256, k: 3),
            conv("conv3x3 128->32 32x64", c: 128, o: 32, h: 32, w: 64, k: 3),
            conv("conv3x3 512->256 32x64", c: 512, o: 256, h: 32, w: 64, k: 3),
            // The segmenter step's dilated layers (width / 4 ResNet-50 at output stride 8, 4 crops of 256×512).
            conv("conv3x3 64->64 d2 4x32x64", c: 64, o: 64, h: 32, w: 64, k: 3, dilation: 2, batch: 4),
            conv("conv3x3 128->128 d4 4x32x64", c: 128, o: 128, h: 32, w: 64, k: 3, dilation: 4, batch: 4),
            conv("aspp3x3 512->64 d12 4x32x64", c: 512, o: 64, h: 32, w: 64, k: 3, dilation: 12, batch: 4),
            BenchCase(name: "batchnorm train 2x64x128x256", forwardFlops: 0) {
                bnInput.batchNorm(weight: gamma, bias: beta, runningMean: .zeros([64]), runningVar: .ones([64]),
                                  training: true).output
            },
            BenchCase(name: "resize 19x128x256->512x1024", forwardFlops: 0) {
                resizeInput.resizeBilinear(to: (512, 1024), alignCorners: true)
            },
            BenchCase(name: "softmax 4x19x256x512", forwardFlops: 0) { logits.softmax(axis: 1) },
            BenchCase(name: "log_softmax 4x19x256x512", forwardFlops: 0) { logits.logSoftmax(axis: 1) },
            BenchCase(name: "exp 4x19x256x512", forwardFlops: 0) { logits.exp() },
            BenchCase(name: "log 4x19x256x512", forwardFlops: 0) { positive.log() },
        ]
    }

    /// Median forward and backward times over `repeats` runs after one warm-up.
    func measure(repeats: Int) -> BenchResult {
        var forward: [Double] = [], backward: [Double] = [], differentiable = false
        for iteration in 0...repeats {
            let start = DispatchTime.now()
            let y = run()
            let middle = DispatchTime.now()
            differentiable = y.requiresGrad
            if differentiable { y.backward(Tensor.ones(y.shape)) }
            let end = DispatchTime.now()
            if iteration > 0 {
                forward.append(Double(middle.uptimeNanoseconds - start.uptimeNanoseconds) / 1e6)
                backward.append(Double(end.uptimeNanoseconds - middle.uptimeNanoseconds) / 1e6)
            }
        }
        let backwardMs = differentiable ? median(backward) : nil
        return BenchResult(name: name, forwardMs: median(forward), backwardMs: backwardMs,
                           forwardGFLOPs: forwardFlops > 0 ? forwardFlops / median(forward) / 1e6 : nil,
                           backwardGFLOPs: backwardMs.flatMap { forwardFlops > 0 ? 2 * forwardFlops / $0 / 1e6 : nil })
    }

    private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}

/// One row of the benchmark table.
struct BenchResult: Codable {
    var name: String
    var forwardMs: Double
    var backwardMs: Double?
    var forwardGFLOPs: Double?
    var backwardGFLOPs: Double?

    static let header = "op".padding(toLength: 30, withPad: " ", startingAt: 0)
        + "  fwd ms   bwd ms  fwd GFLOP/s  bwd GFLOP/s  fwd % sgemm"

    func row(sgemmRate: Double?) -> String {
        func cell(_ v: Double?, _ width: Int, _ format: String = "%.1f") -> String {
            let text = v.map { String(format: format, $0) } ?? "-"
            return String(repeating: " ", count: max(0, width - text.count)) + text
        }
        let share = forwardGFLOPs.flatMap { f in sgemmRate.map { 100 * f / $0 } }
        return name.padding(toLength: 30, withPad: " ", startingAt: 0) + cell(forwardMs, 8, "%.2f")
            + cell(backwardMs, 9, "%.2f") + cell(forwardGFLOPs, 13) + cell(backwardGFLOPs, 13) + cell(share, 13, "%.0f%%")
    }
}

/// What `--json` writes.
struct BenchReport: Codable {
    var core: String
    var sgemmGFLOPs: Double?
    var results: [BenchResult]
}
