import Testing
@testable import TensorCore

/// Max pooling without a gradient to record (values only, interior windows without bounds
/// tests) against the recording path and a plain reference: ties, signed zeros, NaNs, padding
/// and dilation.
@Suite("Max pooling: values-only path")
struct MaxPoolTests {
    /// The window maximum as the definition reads (row-major order, the first of equal values,
    /// the first NaN of a window row ending that row), padding as −∞.
    func reference(_ x: [Float], height: Int, width: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> [Float] {
        let oh = (height + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
        let ow = (width + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1
        var y = [Float]()
        for r in 0..<oh {
            for c in 0..<ow {
                var best = -Float.infinity, seen = false
                for ki in 0..<kernel {
                    let ih = r * stride - padding + ki * dilation
                    guard ih >= 0 && ih < height else { continue }
                    for kj in 0..<kernel {
                        let iw = c * stride - padding + kj * dilation
                        guard iw >= 0 && iw < width else { continue }
                        let v = x[ih * width + iw]
                        if v > best || v.isNaN || !seen { best = v; seen = true }
                        if v.isNaN { break }
                    }
                }
                y.append(best)
            }
        }
        return y
    }

    @Test("values-only equals the recording path and the reference bit for bit",
          arguments: [(3, 2, 1, 1), (3, 1, 1, 1), (2, 2, 0, 1), (3, 2, 2, 2), (3, 1, 0, 3)])
    func valuesOnly(_ kernel: Int, _ stride: Int, _ padding: Int, _ dilation: Int) {
        let (height, width) = (11, 13)
        var rng = SeededGenerator(seed: 5)
        let values: [Float] = Tensor.normal([height * width], using: &rng).scalars.enumerated().map { i, v in
            switch i % 17 { case 3: -0.0; case 4: 0.0; case 9: .nan; case 11: 1.5; case 12: 1.5; default: v }
        }
        let x = Tensor(shape: [1, 1, height, width], values)
        let k = (kernel, kernel), s = (stride, stride), p = (padding, padding)
        // `maxPool2d` has no dilation parameter; dilation goes through the kernel directly.
        let expected = reference(values, height: height, width: width, kernel: kernel, stride: stride, padding: padding,
                                 dilation: dilation)
        if dilation == 1 {
            let plain = GradMode.noGrad { x.maxPool2d(kernel: k, stride: s, padding: p) }
            let recording = x.requiringGrad().maxPool2d(kernel: k, stride: s, padding: p)
            #expect(recording.requiresGrad)
            #expect(plain.scalars.map(\.bitPattern) == expected.map(\.bitPattern))
            #expect(recording.scalars.map(\.bitPattern) == expected.map(\.bitPattern))
        }
        let g = ConvGeometry(batch: 1, inChannels: 1, height: height, width: width, outChannels: 1, kernelH: kernel,
                             kernelW: kernel, strideH: stride, strideW: stride, padH: padding, padW: padding,
                             dilationH: dilation, dilationW: dilation, groups: 1)
        var out = [Float](repeating: 0, count: expected.count), indices = [Int32](repeating: -2, count: expected.count)
        values.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                indices.withUnsafeMutableBufferPointer { winners in
                    PoolingKernels.maxForward(source.baseAddress!, g, planes: 1, into: target.baseAddress!, argmax: winners.baseAddress)
                }
            }
        }
        #expect(out.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(zip(indices, out).allSatisfy { index, value in index >= 0 && values[Int(index)].bitPattern == value.bitPattern })
    }
}
