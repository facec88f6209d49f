import Testing
import PixelOoDTestSupport
@testable import TensorCore

/// Which kernels a convolution's backward pass takes under `winograd`, against im2col's.
@Suite("Convolution dispatch under winograd")
struct ConvDispatchTests {
    @Test("a stride-1 input gradient with fewer output than input channels, as im2col of the output gradient by the flipped kernel, equals col2im's",
          arguments: [(3, 1, 9, 11), (3, 5, 8, 13), (3, 12, 8, 30), (5, 1, 7, 9)])
    func narrowInputGradient(_ kernel: Int, _ dilation: Int, _ height: Int, _ width: Int) {
        let pad = dilation * (kernel / 2)
        // 12 → 4 channels: below Winograd's 16, so its rule leaves every product to im2col;
        // dilation 12 on 8 rows leaves a 1×3 live kernel (``DeadTaps``).
        let g = ConvGeometry(batch: 2, inChannels: 12, height: height, width: width, outChannels: 4, kernelH: kernel, kernelW: kernel,
                             strideH: 1, strideW: 1, padH: pad, padW: pad, dilationH: dilation, dilationW: dilation, groups: 1)
        var rng = SeededGenerator(seed: UInt64(kernel * 100 + dilation))
        let x = Tensor.normal([g.batch, g.inChannels, height, width], using: &rng).scalars
        let w = Tensor.normal([g.outChannels, g.inChannels, kernel, kernel], using: &rng).scalars
        let gy = Tensor.normal([g.batch, g.outChannels, g.outHeight, g.outWidth], using: &rng).scalars
        func gradients(_ algorithm: ConvolutionAlgorithm) -> (gx: [Float], gw: [Float]) {
            var gx = [Float](repeating: .nan, count: x.count), gw = [Float](repeating: .nan, count: w.count)
            x.withUnsafeBufferPointer { xp in
                w.withUnsafeBufferPointer { wp in
                    gy.withUnsafeBufferPointer { yp in
                        gx.withUnsafeMutableBufferPointer { gxp in
                            gw.withUnsafeMutableBufferPointer { gwp in
                                ConvDispatch.backward(xp.baseAddress!, wp.baseAddress!, yp.baseAddress!, g, algorithm: algorithm,
                                                      gx: gxp.baseAddress!, gw: gwp.baseAddress!)
                            }
                        }
                    }
                }
            }
            return (gx, gw)
        }
        let (winograd, im2col) = (gradients(.winograd), gradients(.im2col))
        expectClose(Tensor(shape: [x.count], winograd.gx), Tensor(shape: [x.count], im2col.gx), tolerance: 1e-5, "input gradient")
        expectClose(Tensor(shape: [w.count], winograd.gw), Tensor(shape: [w.count], im2col.gw), tolerance: 1e-5, "weight gradient")
    }
}
