import Testing
import PixelOoDTestSupport
@testable import TensorCore

/// Convolutions whose dilated taps only read padding run with the live part of the kernel.
@Suite("Dead kernel taps")
struct DeadTapsTests {
    func geometry(_ h: Int, _ w: Int, dilation: Int, channels: Int = 3, outputs: Int = 4, batch: Int = 2) -> ConvGeometry {
        ConvGeometry(batch: batch, inChannels: channels, height: h, width: w, outChannels: outputs, kernelH: 3, kernelW: 3,
                     strideH: 1, strideW: 1, padH: dilation, padW: dilation, dilationH: dilation, dilationW: dilation, groups: 1)
    }

    @Test("a tap is dead when every output reads padding through it")
    func live() throws {
        // ASPP at a 256×512 crop (32×64 features): dilation 36 leaves only the middle kernel row, all three columns.
        let aspp = geometry(32, 64, dilation: 36)
        #expect(DeadTaps.live(kernel: 3, size: 32, outputs: 0..<32, pad: 36, dilation: 36) == 1..<2)
        #expect(DeadTaps.live(kernel: 3, size: 64, outputs: 0..<64, pad: 36, dilation: 36) == 0..<3)
        let cut = try #require(DeadTaps.cropped(aspp))
        #expect(cut.geometry.kernelH == 1 && cut.geometry.kernelW == 3 && cut.geometry.padH == 0 && cut.geometry.padW == 36)
        #expect(cut.geometry.outHeight == 32 && cut.geometry.outWidth == 64)
        // Dilation 24 on 32 rows: every tap reads the image for some output.
        #expect(DeadTaps.cropped(geometry(32, 64, dilation: 24)) == nil)
        // Larger than both sides: a 1×1 convolution.
        #expect(DeadTaps.cropped(geometry(8, 10, dilation: 12))?.geometry.isPointwise == true)
    }

    @Test("conv2d under the winograd algorithm, dead taps cut, equals the whole kernel's convolution, forward and backward",
          arguments: [(5, 9, 6), (8, 10, 12), (7, 7, 7)])
    func matchesWholeKernel(_ h: Int, _ w: Int, _ dilation: Int) throws {
        let g = geometry(h, w, dilation: dilation)
        let live = try #require(DeadTaps.cropped(g))
        var rng = SeededGenerator(seed: 5)
        let x = Tensor.normal([g.batch, g.inChannels, h, w], using: &rng).requiringGrad()
        let weight = Tensor.normal([g.outChannels, g.inChannels, 3, 3], using: &rng).requiringGrad()
        let y = ConvolutionAlgorithm.using(.winograd) { x.conv2d(weight: weight, padding: (dilation, dilation), dilation: (dilation, dilation)) }
        var whole = [Float](repeating: .nan, count: y.count)
        x.scalars.withUnsafeBufferPointer { xp in
            weight.scalars.withUnsafeBufferPointer { wp in
                whole.withUnsafeMutableBufferPointer { ConvKernels.forward(xp.baseAddress!, wp.baseAddress!, g, into: $0.baseAddress!) }
            }
        }
        expectClose(y, Tensor(shape: y.shape, whole), tolerance: 1e-6, "forward")
        // The backward pass runs with the live kernel too: the same gradients as the whole
        // kernel's, the dead taps' weight gradients exactly zero.
        var upstream = SeededGenerator(seed: 6)
        let gy = Tensor.normal(y.shape, using: &upstream)
        y.backward(gy)
        let gw = try #require(weight.grad).scalars, gx = try #require(x.grad).scalars
        for (index, value) in gw.enumerated() {
            let i = (index / 3) % 3, j = index % 3
            if !live.rows.contains(i) || !live.columns.contains(j) { #expect(value == 0) }
        }
        var wholeGX = [Float](repeating: .nan, count: gx.count), wholeGW = [Float](repeating: .nan, count: gw.count)
        x.scalars.withUnsafeBufferPointer { xp in
            weight.scalars.withUnsafeBufferPointer { wp in
                gy.scalars.withUnsafeBufferPointer { yp in
                    wholeGX.withUnsafeMutableBufferPointer { gxp in
                        wholeGW.withUnsafeMutableBufferPointer { gwp in
                            ConvKernels.backward(xp.baseAddress!, wp.baseAddress!, yp.baseAddress!, g, gx: gxp.baseAddress!, gw: gwp.baseAddress!)
                        }
                    }
                }
            }
        }
        #expect(normalizedMaxError(gx, wholeGX) <= 1e-6, "input gradient")
        #expect(normalizedMaxError(gw, wholeGW) <= 1e-6, "weight gradient")
    }

    @Test("a band of output rows keeps the kernel rows it reads the image with")
    func bands() {
        let g = geometry(32, 64, dilation: 24)
        #expect(DeadTaps.band(g, rows: 0..<8).kernelRows == 1..<3)
        #expect(DeadTaps.band(g, rows: 8..<16).kernelRows == 1..<2)
        #expect(DeadTaps.band(g, rows: 20..<28).kernelRows == 0..<2)
        #expect(DeadTaps.band(g, rows: 0..<32).geometry == g)
        let middle = DeadTaps.band(g, rows: 8..<16).geometry
        #expect(middle.kernelH == 1 && middle.padH == 0 && middle.outWidth == g.outWidth)
    }

    @Test("im2col with dead kernel rows cut per band equals the whole kernel's, on the tile and the band paths, and in the weight gradient",
          arguments: [(64, 8, 256), (512, 64, 64)])
    func bandsMatchWholeKernel(_ channels: Int, _ outputs: Int, _ width: Int) {
        let g = geometry(32, width, dilation: 24, channels: channels, outputs: outputs, batch: 1)
        var rng = SeededGenerator(seed: 9)
        let x = Tensor.normal([1, channels, 32, width], using: &rng).scalars
        let w = Tensor.normal([outputs, channels, 3, 3], using: &rng).scalars
        let count = outputs * 32 * width
        var cut = [Float](repeating: .nan, count: count), whole = [Float](repeating: .nan, count: count)
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                cut.withUnsafeMutableBufferPointer {
                    ConvKernels.forward(xp.baseAddress!, wp.baseAddress!, g, cutDeadRows: true, into: $0.baseAddress!)
                }
                whole.withUnsafeMutableBufferPointer { ConvKernels.forward(xp.baseAddress!, wp.baseAddress!, g, into: $0.baseAddress!) }
                let kernels = BandKernels(wp.baseAddress!, g, bands: [0..<8, 8..<16], cut: true)
                #expect(kernels.kernel(for: 8..<16, pointer: wp.baseAddress!).0.kernelH == 1)
                #expect(kernels.kernel(for: 0..<8, pointer: wp.baseAddress!).0.kernelH == 2)
            }
        }
        #expect(normalizedMaxError(cut, whole) <= 1e-6)
        // The weight gradient with each band's dead kernel rows left out of its product.
        let gy = Tensor.normal([1, outputs, 32, width], using: &rng).scalars
        var cutGradient = [Float](repeating: .nan, count: w.count), wholeGradient = [Float](repeating: .nan, count: w.count)
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                gy.withUnsafeBufferPointer { yp in
                    cutGradient.withUnsafeMutableBufferPointer {
                        ConvKernels.backward(xp.baseAddress!, wp.baseAddress!, yp.baseAddress!, g, cutDeadRows: true, gx: nil, gw: $0.baseAddress!)
                    }
                    wholeGradient.withUnsafeMutableBufferPointer {
                        ConvKernels.backward(xp.baseAddress!, wp.baseAddress!, yp.baseAddress!, g, gx: nil, gw: $0.baseAddress!)
                    }
                }
            }
        }
        #expect(normalizedMaxError(cutGradient, wholeGradient) <= 1e-6, "weight gradient")
        var scratch = [Float](repeating: 0, count: w.count)
        scratch.withUnsafeMutableBufferPointer { whole in
            let gradients = BandWeightGradients(g, bands: [0..<8, 8..<16], cut: true)
            #expect(gradients.target(for: 8..<16, whole: whole.baseAddress!).0.kernelH == 1)
            #expect(gradients.target(for: 0..<8, whole: whole.baseAddress!).0.kernelH == 2)
        }
    }
}
