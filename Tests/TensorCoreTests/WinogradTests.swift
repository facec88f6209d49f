import Testing
@testable import TensorCore

/// Winograd F(2×2, 3×3) against the direct (im2col) kernel and a float64 reference.
@Suite("Winograd F(2x2, 3x3)")
struct WinogradTests {
    /// The convolution in float64, straight from the definition.
    func reference(_ x: [Float], _ w: [Float], _ g: ConvGeometry) -> [Double] {
        var y = [Double](repeating: 0, count: g.batch * g.outChannels * g.outHeight * g.outWidth)
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for r in 0..<g.outHeight {
                    for c in 0..<g.outWidth {
                        var total = 0.0
                        for ch in 0..<g.inChannels {
                            for ki in 0..<3 {
                                let row = r - g.padH + ki * g.dilationH
                                guard row >= 0 && row < g.height else { continue }
                                for kj in 0..<3 {
                                    let column = c - g.padW + kj * g.dilationW
                                    guard column >= 0 && column < g.width else { continue }
                                    total += Double(x[((n * g.inChannels + ch) * g.height + row) * g.width + column])
                                        * Double(w[((o * g.inChannels + ch) * 3 + ki) * 3 + kj])
                                }
                            }
                        }
                        y[((n * g.outChannels + o) * g.outHeight + r) * g.outWidth + c] = total
                    }
                }
            }
        }
        return y
    }

    @Test("equals the convolution within a few ulp of the channel sum's scale, like the direct kernel",
          arguments: [(2, 5, 7, 9, 11, 1, 1), (1, 16, 8, 12, 10, 2, 2), (1, 6, 4, 13, 17, 3, 3), (1, 8, 8, 7, 9, 0, 1),
                      (2, 32, 24, 20, 24, 1, 1), (1, 3, 5, 6, 40, 4, 2), (1, 4, 4, 2, 3, 1, 1),
                      // Tile rows of 16 tiles and more (the sixteen-tile column transform and its remainder).
                      (1, 4, 3, 5, 70, 1, 1), (1, 3, 4, 7, 75, 2, 2), (2, 4, 4, 6, 41, 3, 1)])
    func matchesDirect(_ batch: Int, _ inChannels: Int, _ outChannels: Int, _ height: Int, _ width: Int,
                       _ pad: Int, _ dilation: Int) {
        let g = ConvGeometry(batch: batch, inChannels: inChannels, height: height, width: width, outChannels: outChannels,
                             kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: pad, padW: pad,
                             dilationH: dilation, dilationW: dilation, groups: 1)
        var rng = SeededGenerator(seed: 7)
        let x = Tensor.normal([batch, inChannels, height, width], using: &rng).scalars
        let w = Tensor.normal([outChannels, inChannels, 3, 3], using: &rng).scalars
        let count = batch * outChannels * g.outHeight * g.outWidth
        var winograd = [Float](repeating: .nan, count: count), direct = [Float](repeating: .nan, count: count)
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                winograd.withUnsafeMutableBufferPointer { Winograd.forward(xp.baseAddress!, wp.baseAddress!, g, into: $0.baseAddress!) }
                direct.withUnsafeMutableBufferPointer { ConvKernels.forward(xp.baseAddress!, wp.baseAddress!, g, into: $0.baseAddress!) }
            }
        }
        let exact = reference(x, w, g)
        // The scale of one output's rounding: ε times Σ|x||w| over its 9·C products, at most 9·C·max|x|·max|w|.
        let scale = Double(9 * inChannels) * Double(x.map(abs).max() ?? 1) * Double(w.map(abs).max() ?? 1) * Double(Float.ulpOfOne)
        let winogradError = zip(winograd, exact).map { abs(Double($0) - $1) }.max() ?? 0
        let directError = zip(direct, exact).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(winograd.allSatisfy { $0.isFinite }, "every output written")
        #expect(winogradError <= scale, "Winograd error \(winogradError), direct \(directError), bound \(scale)")
    }
}
