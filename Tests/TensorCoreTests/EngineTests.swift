import Foundation
import Testing
@testable import TensorCore
import PixelOoDTestSupport

/// One output of a 3x3, stride-1 convolution with padding = dilation, summed in Double:
/// the independent reference of the convolution tests.
func directConvolution(_ x: [Float], _ w: [Float], channels c: Int, height h: Int, width: Int,
                       at point: (channel: Int, y: Int, x: Int), dilation d: Int) -> Double {
    var total: Double = 0
    for ic in 0..<c {
        for ki in 0..<3 {
            for kj in 0..<3 {
                let iy = point.y - d + d * ki, ix = point.x - d + d * kj
                guard iy >= 0 && iy < h && ix >= 0 && ix < width else { continue }
                total += Double(x[(ic * h + iy) * width + ix]) * Double(w[((point.channel * c + ic) * 3 + ki) * 3 + kj])
            }
        }
    }
    return total
}

@Suite("Engine: BLAS core, gradient mode, random generator, large convolutions")
struct EngineTests {
    @Test("OpenBLAS runs an optimised core, not the generic fallback, on a CPU with AVX2")
    func blasCore() throws {
        try BLAS.load()
        let core = BLAS.coreName.lowercased()
        #expect(!core.isEmpty && core != "unavailable")
        let hasAVX2 = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.contains(" avx2") ?? false
        if hasAVX2 {
            #expect(!["prescott", "core2", "atom", "nehalem", "generic", "katmai", "coppermine", "northwood", "penryn", "dunnington"]
                .contains(core), "OpenBLAS fell back to \(BLAS.coreName) on an AVX2 CPU")
        }
        #expect(BLAS.threadsPerCall == 1, "PixelOoD parallelises around single-threaded OpenBLAS calls")
    }

    @Test("noGrad records no tape, is scoped to its body and to the task")
    func noGradScope() async {
        let w = Tensor.ones([3]).requiringGrad()
        let recorded = w * 2
        let unrecorded = GradMode.noGrad { w * 2 }
        #expect(recorded.requiresGrad && !unrecorded.requiresGrad)
        #expect(GradMode.isEnabled)
        let inner = GradMode.noGrad { GradMode.enableGrad { (w * 2).requiresGrad } }
        #expect(inner)
        await GradMode.$isEnabled.withValue(false) {
            let other = await Task.detached { GradMode.isEnabled }.value
            #expect(other, "a detached task does not inherit another task's noGrad")
        }
    }

    @Test("gradients accumulate across backward calls until cleared")
    func accumulation() {
        let w = Tensor(shape: [2], [1, 2]).requiringGrad()
        (w * w).sum().backward()
        (w * 3).sum().backward()
        #expect(w.grad?.scalars == [5, 7])
        w.zeroGrad()
        #expect(w.grad == nil)
    }

    @Test("the seeded generator is deterministic and Kaiming init has the right spread")
    func generator() {
        var a = SeededGenerator(seed: 666), b = SeededGenerator(seed: 666), c = SeededGenerator(seed: 667)
        let x = Tensor.normal([1000], using: &a), y = Tensor.normal([1000], using: &b), z = Tensor.normal([1000], using: &c)
        #expect(x.scalars == y.scalars && x.scalars != z.scalars)
        var rng = SeededGenerator(seed: 1)
        let w = Tensor.kaimingNormal([256, 64, 3, 3], using: &rng).scalars
        let variance = w.reduce(0) { $0 + Double($1 * $1) } / Double(w.count)
        #expect(abs(variance / (2.0 / 576) - 1) < 0.05)
        let u = Tensor.uniform([10_000], low: -2, high: 3, using: &rng).scalars
        #expect(u.allSatisfy { $0 >= -2 && $0 < 3 })
        #expect(a.derived(1) != a.derived(2) && a.derived(1) == a.derived(1))
    }

    @Test("batch-norm running statistics update as PyTorch's")
    func batchNormRunningStatistics() throws {
        let fixture = try Fixture("ops.h5")
        let x = try fixture.tensor("/batch_norm_train/in/x")
        let before = (try fixture.tensor("/batch_norm_train/in/running_mean"), try fixture.tensor("/batch_norm_train/in/running_var"))
        let result = x.batchNorm(weight: nil, bias: nil, runningMean: before.0, runningVar: before.1, training: true)
        let momentum: Float = 0.1
        let mean = before.0 * (1 - momentum) + Tensor(shape: [4], result.batchMean!) * momentum
        let variance = before.1 * (1 - momentum) + Tensor(shape: [4], result.batchVarianceUnbiased!) * momentum
        expectClose(mean, try fixture.tensor("/batch_norm_train/running/mean_after"), "running mean")
        expectClose(variance, try fixture.tensor("/batch_norm_train/running/var_after"), "running var")
    }

    @Test("a convolution split into several im2col tiles and bands matches a direct computation")
    func bandedConvolution() {
        var rng = SeededGenerator(seed: 11)
        let (c, o, h, w) = (24, 8, 120, 200)
        let geometry = ConvGeometry(batch: 1, inChannels: c, height: h, width: w, outChannels: o, kernelH: 3, kernelW: 3,
                                    strideH: 1, strideW: 1, padH: 2, padW: 2, dilationH: 2, dilationW: 2, groups: 1)
        #expect(ConvKernels.bandRows(geometry) < h / 2, "the test must span several backward bands")
        #expect(ConvKernels.forwardTileBudget / (c * 9 * w) < h / 2, "and several forward tiles")
        let x = Tensor.normal([1, c, h, w], using: &rng), weight = Tensor.normal([o, c, 3, 3], using: &rng)
        let leaf = x.requiringGrad()
        let output = leaf.conv2d(weight: weight, padding: (2, 2), dilation: (2, 2))
        let y = output.scalars
        let xs = x.scalars, ws = weight.scalars
        for (oc, oy, ox) in [(0, 0, 0), (3, 57, 111), (7, h - 1, w - 1), (5, 100, 3), (1, 64, 199)] {
            let expected = directConvolution(xs, ws, channels: c, height: h, width: w, at: (oc, oy, ox), dilation: 2)
            #expect(abs(Double(y[(oc * h + oy) * w + ox]) - expected) < 1e-3)
        }
        // The input gradient of Σ y is, per input pixel, the sum of the weights that reached it.
        output.sum().backward()
        let gx = leaf.grad!.scalars
        for (ic, iy, ix) in [(0, 0, 0), (9, 61, 100), (23, h - 1, w - 1), (4, 47, 2)] {
            var expected: Double = 0
            for oc in 0..<o {
                for ki in 0..<3 {
                    for kj in 0..<3 {
                        let oy = iy + 2 - 2 * ki, ox = ix + 2 - 2 * kj
                        guard oy >= 0 && oy < h && ox >= 0 && ox < w else { continue }
                        expected += Double(ws[((oc * c + ic) * 3 + ki) * 3 + kj])
                    }
                }
            }
            #expect(abs(Double(gx[(ic * h + iy) * w + ix]) - expected) < 1e-3)
        }
    }

    @Test("dropout and broadcasting have correct gradients")
    func dropoutAndBroadcastGradients() {
        var rng = SeededGenerator(seed: 4)
        let x = Tensor.normal([4, 5], using: &rng), row = Tensor.normal([1, 5], using: &rng)
        gradientCheck([x], "dropout") { values in
            var mask = SeededGenerator(seed: 9)  // the same mask on every evaluation
            return values[0].dropout(p: 0.4, training: true, using: &mask)
        }
        gradientCheck([row], "broadcast") { values in values[0].broadcast(to: [3, 4, 5]) * 1.5 }
    }

    @Test("a deep-patch convolution (large weights) takes the shared-band forward path and stays exact")
    func deepPatchConvolution() {
        var rng = SeededGenerator(seed: 12)
        let (c, o, h, w) = (512, 64, 40, 16)
        let geometry = ConvGeometry(batch: 1, inChannels: c, height: h, width: w, outChannels: o, kernelH: 3, kernelW: 3,
                                    strideH: 1, strideW: 1, padH: 3, padW: 3, dilationH: 3, dilationW: 3, groups: 1)
        #expect(o * geometry.patch > ConvKernels.cachedWeightBudget && ConvKernels.bandRows(geometry) < h,
                "the test must use several wide bands")
        let x = Tensor.normal([1, c, h, w], using: &rng), weight = Tensor.normal([o, c, 3, 3], using: &rng)
        let y = x.conv2d(weight: weight, padding: (3, 3), dilation: (3, 3)).scalars
        let xs = x.scalars, ws = weight.scalars
        for (oc, oy, ox) in [(0, 0, 0), (17, 31, 8), (63, h - 1, w - 1), (40, 33, 0)] {
            let expected = directConvolution(xs, ws, channels: c, height: h, width: w, at: (oc, oy, ox), dilation: 3)
            #expect(abs(Double(y[(oc * h + oy) * w + ox]) - expected) < 1e-2 * max(1, abs(expected)) / 10)
        }
    }

    @Test("cross-entropy over only ignored pixels is NaN, as in PyTorch")
    func allIgnored() {
        let loss = Tensor.zeros([1, 3, 2, 2]).crossEntropy(target: IndexTensor(shape: [1, 2, 2], [255, 255, 255, 255]),
                                                           ignoreIndex: 255)
        #expect(loss.item.isNaN)
    }
}

@Suite("In-place reuse of unobservable storage")
struct InPlaceTests {
    @Test("a consumed temporary is reused without a tape; a value still in use never is")
    func reuse() {
        GradMode.noGrad {
            let kept = Tensor(shape: [4], [-1, 2, -3, 4])
            let result = kept.relu()
            #expect(kept.scalars == [-1, 2, -3, 4], "the caller's value is untouched")
            #expect(result.scalars == [0, 2, 0, 4])
            let temporary = Tensor(shape: [4], [-1, 2, -3, 4])
            let identity = ObjectIdentifier(temporary.storage)
            let reused = (consume temporary).relu6()
            #expect(ObjectIdentifier(reused.storage) == identity, "the only reference was reused")
        }
    }

    @Test("with a tape, inputs that need gradients are never overwritten")
    func tapeKeepsInputs() {
        let leaf = Tensor(shape: [3], [-1, 0.5, 2]).requiringGrad()
        let identity = ObjectIdentifier(leaf.storage)
        let y = (leaf * 1).relu()
        #expect(ObjectIdentifier(y.storage) != identity)
        y.sum().backward()
        #expect(leaf.grad?.scalars == [0, 1, 1])
        #expect(leaf.scalars == [-1, 0.5, 2])
    }
}
