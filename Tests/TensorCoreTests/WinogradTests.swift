import Testing
import PixelOoDTestSupport
@testable import TensorCore

/// Winograd F(4×4, 3×3) against a float64 convolution, within the rounding bound of its own
/// arithmetic, and the rule that chooses it.
@Suite("Winograd F(4x4, 3x3)")
struct WinogradTests {
    /// A stride-1 3×3 convolution's geometry, padded and dilated the same way along both axes.
    func geometry(_ batch: Int, _ inChannels: Int, _ outChannels: Int, _ height: Int, _ width: Int, _ pad: Int, _ dilation: Int) -> ConvGeometry {
        ConvGeometry(batch: batch, inChannels: inChannels, height: height, width: width, outChannels: outChannels,
                     kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padH: pad, padW: pad, dilationH: dilation, dilationW: dilation, groups: 1)
    }

    /// The convolution in float64, straight from the definition.
    func reference(_ x: [Float], _ w: [Float], _ g: ConvGeometry) -> [Double] {
        var y = [Double](repeating: 0, count: g.batch * g.outChannels * g.outHeight * g.outWidth)
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for r in 0..<g.outHeight {
                    for c in 0..<g.outWidth {
                        var total = 0.0
                        for ch in 0..<g.inChannels {
                            let patch = window(x, g, image: n, channel: ch, row: r - g.padH, column: c - g.padW, size: 3)
                            for ki in 0..<3 {
                                for kj in 0..<3 { total += patch[ki][kj] * Double(w[((o * g.inChannels + ch) * 3 + ki) * 3 + kj]) }
                            }
                        }
                        y[((n * g.outChannels + o) * g.outHeight + r) * g.outWidth + c] = total
                    }
                }
            }
        }
        return y
    }

    static let bT: [[Double]] = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
                                 [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]]
    static let gMatrix: [[Double]] = [[0.25, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                                      [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]
    static let aT: [[Double]] = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]

    /// The magnitude of the Winograd computation of each output:
    /// `Σ_c Σ_ξ |Aᵀ_r,ξ1| |Aᵀ_s,ξ2| (|G| |g_oc| |G|ᵀ)_ξ (|Bᵀ| |d_c| |B|)_ξ` over the 6×6 input tile
    /// `d_c` of the output's tile (row `r`, column `s` inside it). Each value the kernel computes
    /// is a signed sum of at most `C + 20` rounded steps over these terms, so its error is at
    /// most γ_{C+20} = (C + 20)·ε/(1 − (C + 20)·ε) times this (Higham, Accuracy and Stability of
    /// Numerical Algorithms, §3.1).
    func magnitude(_ x: [Float], _ w: [Float], _ g: ConvGeometry) -> [Double] {
        let absB = Self.bT.map { $0.map(abs) }, absG = Self.gMatrix.map { $0.map(abs) }, absA = Self.aT.map { $0.map(abs) }
        var y = [Double](repeating: 0, count: g.batch * g.outChannels * g.outHeight * g.outWidth)
        // The tile that holds output index r along an axis of dilation d: its first output, and r's place in it.
        func tile(_ r: Int, _ d: Int) -> (first: Int, place: Int) {
            let classIndex = r / d
            return (r % d + 4 * d * (classIndex / 4), classIndex % 4)
        }
        for n in 0..<g.batch {
            for r in 0..<g.outHeight {
                for s in 0..<g.outWidth {
                    let (row0, pr) = tile(r, g.dilationH), (column0, ps) = tile(s, g.dilationW)
                    for ch in 0..<g.inChannels {
                        let d = window(x, g, image: n, channel: ch, row: row0 - g.padH, column: column0 - g.padW, size: 6)
                        let v = product(product(absB, d.map { $0.map(abs) }), transpose(absB))
                        for o in 0..<g.outChannels {
                            let k = (0..<3).map { i in (0..<3).map { j in Double(abs(w[((o * g.inChannels + ch) * 3 + i) * 3 + j])) } }
                            let u = product(product(absG, k), transpose(absG))
                            var total = 0.0
                            for i in 0..<6 { for j in 0..<6 { total += absA[pr][i] * absA[ps][j] * u[i][j] * v[i][j] } }
                            y[((n * g.outChannels + o) * g.outHeight + r) * g.outWidth + s] += total
                        }
                    }
                }
            }
        }
        return y
    }

    /// The `size`×`size` input window of one image and channel whose first element is at
    /// (`row`, `column`), its elements `dilation` apart, zero outside the image.
    func window(_ x: [Float], _ g: ConvGeometry, image: Int, channel: Int, row: Int, column: Int, size: Int) -> [[Double]] {
        (0..<size).map { p in
            (0..<size).map { q in
                let i = row + p * g.dilationH, j = column + q * g.dilationW
                guard i >= 0 && i < g.height && j >= 0 && j < g.width else { return 0 }
                return Double(x[((image * g.inChannels + channel) * g.height + i) * g.width + j])
            }
        }
    }

    func product(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        a.map { row in (0..<b[0].count).map { j in zip(row, b).reduce(0) { $0 + $1.0 * $1.1[j] } } }
    }

    func transpose(_ a: [[Double]]) -> [[Double]] { (0..<a[0].count).map { j in a.map { $0[j] } } }

    @Test("equals the convolution within the rounding bound of its own arithmetic",
          arguments: [(2, 5, 7, 9, 11, 1, 1), (1, 16, 8, 12, 10, 2, 2), (1, 6, 4, 13, 17, 3, 3), (1, 8, 8, 7, 9, 0, 1),
                      (2, 32, 24, 20, 24, 1, 1), (1, 3, 5, 6, 40, 4, 2), (1, 4, 4, 2, 3, 1, 1),
                      (1, 4, 3, 5, 70, 1, 1), (1, 3, 4, 7, 75, 2, 2), (3, 4, 4, 6, 41, 3, 1),
                      // More tiles than one block holds (1024): tile rows of several images in one block, and a second block.
                      (3, 2, 2, 50, 90, 1, 1),
                      // More channels than one chunk (512): the products accumulate over two chunks.
                      (1, 520, 2, 6, 7, 1, 1),
                      // Column groups of 4 and 5 tiles: one short group, fewer columns than classes, a short last group.
                      (1, 4, 4, 9, 6, 4, 4), (1, 3, 4, 10, 3, 4, 4), (2, 3, 5, 11, 37, 5, 5)])
    func matchesConvolution(_ batch: Int, _ inChannels: Int, _ outChannels: Int, _ height: Int, _ width: Int,
                            _ pad: Int, _ dilation: Int) {
        let g = geometry(batch, inChannels, outChannels, height, width, pad, dilation)
        var rng = SeededGenerator(seed: 7)
        let x = Tensor.normal([batch, inChannels, height, width], using: &rng).scalars
        let w = Tensor.normal([outChannels, inChannels, 3, 3], using: &rng).scalars
        expectWithinBound(winograd(x, w, g), exact: reference(x, w, g), x, w, g, "output")
    }

    /// Winograd's convolution of `x` by `w`.
    func winograd(_ x: [Float], _ w: [Float], _ g: ConvGeometry) -> [Float] {
        var y = [Float](repeating: .nan, count: g.batch * g.outChannels * g.outHeight * g.outWidth)
        x.withUnsafeBufferPointer { xp in
            w.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { Winograd.forward(xp.baseAddress!, wp.baseAddress!, g, into: $0.baseAddress!) }
            }
        }
        return y
    }

    /// Expects `computed`, Winograd's convolution of `x` by `w`, finite and within
    /// `γ_{C+20} · magnitude(x, w, g)` of `exact` on every output.
    func expectWithinBound(_ computed: [Float], exact: [Double], _ x: [Float], _ w: [Float], _ g: ConvGeometry, _ what: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        let steps = Double(g.inChannels + 20) * Double(Float.ulpOfOne)
        let gamma = steps / (1 - steps)
        let worst = zip(zip(computed, exact), magnitude(x, w, g)).map { abs(Double($0.0) - $0.1) / (gamma * $1) }.max() ?? 0
        #expect(computed.allSatisfy { $0.isFinite }, "every \(what) written", sourceLocation: sourceLocation)
        #expect(worst <= 1, "Winograd \(what) error up to \(worst) of the bound γ_{C+20}·magnitude", sourceLocation: sourceLocation)
    }

    /// The input gradient of `g`'s convolution by `w` from the output gradient `gy`, in float64,
    /// straight from the definition (every output's gradient times each weight it used, added
    /// to the input it read).
    func inputGradient(_ gy: [Float], _ w: [Float], _ g: ConvGeometry) -> [Double] {
        var gx = [Double](repeating: 0, count: g.batch * g.inChannels * g.height * g.width)
        forEachOutputGradient(gy, g) { n, o, r, c, upstream in
            for ch in 0..<g.inChannels {
                for ki in 0..<3 {
                    for kj in 0..<3 {
                        let i = r - g.padH + ki * g.dilationH, j = c - g.padW + kj * g.dilationW
                        guard i >= 0 && i < g.height && j >= 0 && j < g.width else { continue }
                        gx[((n * g.inChannels + ch) * g.height + i) * g.width + j]
                            += upstream * Double(w[((o * g.inChannels + ch) * 3 + ki) * 3 + kj])
                    }
                }
            }
        }
        return gx
    }

    /// `body(image, output channel, row, column, gradient)` for every entry of the output gradient `gy`.
    func forEachOutputGradient(_ gy: [Float], _ g: ConvGeometry, _ body: (Int, Int, Int, Int, Double) -> Void) {
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for r in 0..<g.outHeight {
                    for c in 0..<g.outWidth { body(n, o, r, c, Double(gy[((n * g.outChannels + o) * g.outHeight + r) * g.outWidth + c])) }
                }
            }
        }
    }

    @Test("the input gradient as Winograd's convolution of the output gradient by the flipped, transposed kernel, within its bound",
          arguments: [(2, 5, 7, 9, 11, 1, 1), (1, 6, 4, 13, 17, 0, 1), (1, 4, 6, 12, 10, 2, 2), (1, 3, 5, 14, 9, 3, 3),
                      (2, 4, 3, 8, 19, 6, 3), (1, 8, 8, 7, 9, 2, 1), (1, 4, 4, 9, 6, 4, 4), (2, 3, 5, 11, 37, 5, 5)])
    func inputGradientMatches(_ batch: Int, _ inChannels: Int, _ outChannels: Int, _ height: Int, _ width: Int,
                              _ pad: Int, _ dilation: Int) throws {
        let g = geometry(batch, inChannels, outChannels, height, width, pad, dilation)
        let transposed = try #require(Winograd.inputGradientGeometry(g))
        #expect(transposed.outHeight == height && transposed.outWidth == width && transposed.outChannels == inChannels)
        var rng = SeededGenerator(seed: 11)
        let gy = Tensor.normal([batch, outChannels, g.outHeight, g.outWidth], using: &rng).scalars
        let w = Tensor.normal([outChannels, inChannels, 3, 3], using: &rng).scalars
        var flipped = [Float](repeating: .nan, count: w.count)
        w.withUnsafeBufferPointer { wp in
            flipped.withUnsafeMutableBufferPointer { Winograd.flipTransposing(wp.baseAddress!, g, into: $0.baseAddress!) }
        }
        expectWithinBound(winograd(gy, flipped, transposed), exact: inputGradient(gy, w, g), gy, flipped, transposed, "input gradient")
        // A padding wider than the kernel's reach has no transposed convolution: im2col computes that one.
        var wide = g
        wide.padH = 2 * dilation + 1
        #expect(Winograd.inputGradientGeometry(wide) == nil)
    }

    /// The weight gradient of `g`'s convolution of `x` from the output gradient `gy`, in float64,
    /// straight from the definition.
    func weightGradient(_ x: [Float], _ gy: [Float], _ g: ConvGeometry) -> [Double] {
        var gw = [Double](repeating: 0, count: g.outChannels * g.inChannels * 9)
        forEachOutputGradient(gy, g) { n, o, r, c, upstream in
            for ch in 0..<g.inChannels {
                let patch = window(x, g, image: n, channel: ch, row: r - g.padH, column: c - g.padW, size: 3)
                for ki in 0..<3 {
                    for kj in 0..<3 { gw[((o * g.inChannels + ch) * 3 + ki) * 3 + kj] += upstream * patch[ki][kj] }
                }
            }
        }
        return gw
    }

    /// The magnitude of the Winograd computation of each weight-gradient entry:
    /// `Σ_t Σ_ξ |G_ξ1,a| |G_ξ2,b| (|A| |GY_ot| |A|ᵀ)_ξ (|Bᵀ| |d_ct| |B|)_ξ` over the batch's
    /// tiles `t` (``Winograd/tileRows(_:)``), each entry's computed value a signed sum of at most
    /// `tiles + 20` rounded steps over these terms.
    func weightGradientMagnitude(_ x: [Float], _ gy: [Float], _ g: ConvGeometry) -> (bound: [Double], tiles: Int) {
        let absB = Self.bT.map { $0.map(abs) }, absG = Self.gMatrix.map { $0.map(abs) }, absA = transpose(Self.aT.map { $0.map(abs) })
        var bound = [Double](repeating: 0, count: g.outChannels * g.inChannels * 9), tiles = 0
        for tileRow in Winograd.tileRows(g) {
            for t in 0..<tileRow.tiles {
                tiles += 1
                // Tile t = k·d + b of a row starts at column 4dk + b (d the column dilation).
                let row = tileRow.row, column = 4 * g.dilationW * (t / g.dilationW) + t % g.dilationW
                let upstream = (0..<g.outChannels).map { o in
                    let tile = (0..<4).map { i in
                        (0..<4).map { j -> Double in
                            let r = row + i * g.dilationH, c = column + j * g.dilationW
                            guard r < g.outHeight && c < g.outWidth else { return 0 }
                            return Double(abs(gy[((tileRow.image * g.outChannels + o) * g.outHeight + r) * g.outWidth + c]))
                        }
                    }
                    return product(product(absA, tile), transpose(absA))
                }
                for ch in 0..<g.inChannels {
                    let d = window(x, g, image: tileRow.image, channel: ch, row: row - g.padH, column: column - g.padW, size: 6)
                    let v = product(product(absB, d.map { $0.map(abs) }), transpose(absB))
                    for o in 0..<g.outChannels {
                        for a in 0..<3 {
                            for b in 0..<3 {
                                var total = 0.0
                                for i in 0..<6 { for j in 0..<6 { total += absG[i][a] * absG[j][b] * upstream[o][i][j] * v[i][j] } }
                                bound[((o * g.inChannels + ch) * 3 + a) * 3 + b] += total
                            }
                        }
                    }
                }
            }
        }
        return (bound, tiles)
    }

    @Test("the weight gradient from Winograd's transformed tiles equals the gradient within the rounding bound of its arithmetic",
          arguments: [(2, 5, 7, 9, 11, 1, 1), (1, 6, 4, 13, 17, 0, 1), (1, 4, 6, 12, 10, 2, 2), (1, 3, 5, 14, 9, 3, 3),
                      (3, 2, 2, 50, 90, 1, 1), (1, 520, 2, 6, 7, 1, 1), (1, 4, 4, 9, 6, 4, 4), (2, 3, 5, 11, 37, 5, 5)])
    func weightGradientMatches(_ batch: Int, _ inChannels: Int, _ outChannels: Int, _ height: Int, _ width: Int,
                               _ pad: Int, _ dilation: Int) {
        let g = geometry(batch, inChannels, outChannels, height, width, pad, dilation)
        var rng = SeededGenerator(seed: 13)
        let x = Tensor.normal([batch, inChannels, height, width], using: &rng).scalars
        let gy = Tensor.normal([batch, outChannels, g.outHeight, g.outWidth], using: &rng).scalars
        var gw = [Float](repeating: .nan, count: outChannels * inChannels * 9)
        x.withUnsafeBufferPointer { xp in
            gy.withUnsafeBufferPointer { yp in
                gw.withUnsafeMutableBufferPointer { Winograd.weightGradient(xp.baseAddress!, yp.baseAddress!, g, into: $0.baseAddress!) }
            }
        }
        let exact = weightGradient(x, gy, g), (bounds, tiles) = weightGradientMagnitude(x, gy, g)
        let steps = Double(tiles + 20) * Double(Float.ulpOfOne)
        let gamma = steps / (1 - steps)
        let worst = zip(zip(gw, exact), bounds).map { abs(Double($0.0) - $0.1) / (gamma * $1) }.max() ?? 0
        #expect(gw.allSatisfy { $0.isFinite }, "every weight gradient written")
        #expect(worst <= 1, "Winograd weight-gradient error up to \(worst) of the bound γ_{tiles+20}·magnitude")
    }

    @Test("pays with 16 channels or more, products per output at most half of im2col's (two thirds from 256 channels) and 256 tiles or more")
    func rule() {
        func geometry(_ n: Int, _ c: Int, _ h: Int, _ w: Int, _ d: Int, kernel: Int = 3, stride: Int = 1) -> ConvGeometry {
            ConvGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: c, kernelH: kernel, kernelW: kernel,
                         strideH: stride, strideW: stride, padH: d, padW: d, dilationH: d, dilationW: d, groups: 1)
        }
        #expect(Winograd.pays(for: geometry(1, 256, 64, 128, 2)))  // ResNet layer 3 at 512×1024: 512 tiles, 0.25 products per im2col's
        #expect(Winograd.pays(for: geometry(1, 2048, 64, 128, 12)))  // ASPP d12: 864 tiles, 0.42
        #expect(Winograd.pays(for: geometry(1, 2048, 64, 128, 36)))  // ASPP d36: 1296 tiles, 0.63
        #expect(!Winograd.pays(for: geometry(4, 512, 32, 64, 24)))  // the segmenter step's ASPP d24: 2304 tiles, 1.13
        let asppD12 = ConvGeometry(batch: 4, inChannels: 512, height: 32, width: 64, outChannels: 64, kernelH: 3, kernelW: 3,
                                   strideH: 1, strideW: 1, padH: 12, padW: 12, dilationH: 12, dilationW: 12, groups: 1)
        #expect(!Winograd.pays(for: asppD12))  // the segmenter step's ASPP d12, 512 → 64: 1152 tiles, 0.56, 64 outputs
        #expect(!Winograd.pays(for: geometry(1, 128, 32, 32, 1)))  // 64 tiles
        #expect(Winograd.pays(for: geometry(4, 16, 64, 128, 1)))  // the segmenter step's layer 1: 16 channels
        #expect(!Winograd.pays(for: geometry(8, 8, 64, 128, 1)))  // 8 channels
        #expect(Winograd.pays(for: geometry(4, 128, 32, 32, 1)))  // the same layer on a batch of 4: 256 tiles
        #expect(!Winograd.pays(for: geometry(4, 64, 64, 64, 1, stride: 2)))  // strided
        #expect(!Winograd.pays(for: geometry(4, 64, 64, 64, 0, kernel: 1)))  // 1×1
    }

    @Test("conv2d under the winograd algorithm takes Winograd where it pays and agrees with PyTorch to 1e-4, forward and both gradients, as im2col does",
          arguments: [1, 2])
    func matchesPyTorch(_ dilation: Int) throws {
        let fixture = try Fixture("winograd.h5")
        let x = try fixture.tensor("/input"), weight = try fixture.tensor("/dilation\(dilation)/weight")
        let bias = try fixture.tensor("/dilation\(dilation)/bias")
        let g = ConvGeometry(batch: 1, inChannels: 32, height: 64, width: 64, outChannels: 32, kernelH: 3, kernelW: 3,
                             strideH: 1, strideW: 1, padH: dilation, padW: dilation, dilationH: dilation, dilationW: dilation, groups: 1)
        #expect(Winograd.pays(for: g))
        let convolve = { x.conv2d(weight: weight, bias: bias, padding: (dilation, dilation), dilation: (dilation, dilation)) }
        let winograd = ConvolutionAlgorithm.using(.winograd, convolve), direct = ConvolutionAlgorithm.using(.im2col, convolve)
        let expected = try fixture.tensor("/dilation\(dilation)/output")
        expectClose(winograd, expected, "Winograd, dilation \(dilation)")
        expectClose(direct, expected, "im2col, dilation \(dilation)")
        #expect(winograd.scalars != direct.scalars, "the two algorithms round differently, so Winograd ran")
        // The gradients: the input's by Winograd on the output gradient with the flipped, transposed kernel, the
        // weight's from Winograd's transformed tiles, where the rule takes their geometries.
        #expect(Winograd.inputGradientGeometry(g).map(Winograd.pays(for:)) == true)
        let upstream = try fixture.tensor("/grad_output")
        let gradients = { (algorithm: ConvolutionAlgorithm) -> (input: Tensor, weight: Tensor) in
            let (input, kernel) = (x.detached().requiringGrad(), weight.detached().requiringGrad())
            ConvolutionAlgorithm.using(algorithm) {
                input.conv2d(weight: kernel, bias: bias, padding: (dilation, dilation), dilation: (dilation, dilation))
            }.backward(upstream)
            return (input.grad ?? Tensor.zeros(x.shape), kernel.grad ?? Tensor.zeros(weight.shape))
        }
        let fast = gradients(.winograd), plain = gradients(.im2col)
        for (name, key, computed, reference) in [("input", "input_grad", fast.input, plain.input), ("weight", "weight_grad", fast.weight, plain.weight)] {
            let expectedGradient = try fixture.tensor("/dilation\(dilation)/\(key)")
            expectClose(computed, expectedGradient, "Winograd \(name) gradient, dilation \(dilation)")
            expectClose(reference, expectedGradient, "im2col \(name) gradient, dilation \(dilation)")
            #expect(computed.scalars != reference.scalars, "the \(name) gradient went through Winograd")
        }
    }
}
