/// Max and average pooling over [N·C] planes.
enum PoolingKernels {
    /// Max over each window; `argmax`, when given, receives the flat in-plane index of the
    /// winner (PyTorch's `return_indices`). Padding counts as −∞. Windows wholly inside the
    /// image skip the bounds tests (same order, same winner).
    static func maxForward(_ x: UnsafePointer<Float>, _ g: ConvGeometry, planes: Int,
                           into y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>?) {
        let oh = g.outHeight, ow = g.outWidth
        parallelFor(planes, grain: 1) { range in
            for p in range {
                let src = x + p * g.height * g.width
                for r in 0..<oh {
                    let h0 = r * g.strideH - g.padH
                    let rowsInside = h0 >= 0 && h0 + (g.kernelH - 1) * g.dilationH < g.height
                    for c in 0..<ow {
                        let w0 = c * g.strideW - g.padW
                        var best = -Float.infinity, bestIndex = -1
                        // The first element wins ties; the first NaN of a window row ends that row.
                        @inline(__always) func visit(_ index: Int) -> Bool {
                            let v = src[index]
                            if v > best || v.isNaN || bestIndex < 0 { best = v; bestIndex = index }
                            return v.isNaN
                        }
                        if rowsInside && w0 >= 0 && w0 + (g.kernelW - 1) * g.dilationW < g.width {
                            for ki in 0..<g.kernelH {
                                let row = (h0 + ki * g.dilationH) * g.width + w0
                                for kj in 0..<g.kernelW where visit(row + kj * g.dilationW) { break }
                            }
                        } else {
                            for ki in 0..<g.kernelH {
                                let ih = h0 + ki * g.dilationH
                                guard ih >= 0 && ih < g.height else { continue }
                                for kj in 0..<g.kernelW {
                                    let iw = w0 + kj * g.dilationW
                                    guard iw >= 0 && iw < g.width else { continue }
                                    if visit(ih * g.width + iw) { break }
                                }
                            }
                        }
                        y[(p * oh + r) * ow + c] = best
                        argmax?[(p * oh + r) * ow + c] = Int32(bestIndex)
                    }
                }
            }
        }
    }

    /// Average over each window; the divisor is the full window (`countIncludePad`) or the
    /// part inside the image.
    static func avgForward(_ x: UnsafePointer<Float>, _ g: ConvGeometry, planes: Int, countIncludePad: Bool,
                           into y: UnsafeMutablePointer<Float>) {
        let oh = g.outHeight, ow = g.outWidth
        parallelFor(planes, grain: 1) { range in
            for p in range {
                let src = x + p * g.height * g.width
                for r in 0..<oh {
                    for c in 0..<ow {
                        let (rows, cols, divisor) = window(g, r, c, countIncludePad: countIncludePad)
                        var s: Float = 0
                        for ih in rows { for iw in cols { s += src[ih * g.width + iw] } }
                        y[(p * oh + r) * ow + c] = s / divisor
                    }
                }
            }
        }
    }

    static func avgBackward(_ gy: UnsafePointer<Float>, _ g: ConvGeometry, planes: Int, countIncludePad: Bool,
                            into gx: UnsafeMutablePointer<Float>) {
        let oh = g.outHeight, ow = g.outWidth
        parallelFor(planes, grain: 1) { range in
            for p in range {
                let dst = gx + p * g.height * g.width
                dst.initialize(repeating: 0, count: g.height * g.width)
                for r in 0..<oh {
                    for c in 0..<ow {
                        let (rows, cols, divisor) = window(g, r, c, countIncludePad: countIncludePad)
                        let v = gy[(p * oh + r) * ow + c] / divisor
                        for ih in rows { for iw in cols { dst[ih * g.width + iw] += v } }
                    }
                }
            }
        }
    }

    /// The in-image rows and columns of output (r, c)'s window and its divisor.
    @inline(__always)
    static func window(_ g: ConvGeometry, _ r: Int, _ c: Int, countIncludePad: Bool) -> (Range<Int>, Range<Int>, Float) {
        let h0 = r * g.strideH - g.padH, w0 = c * g.strideW - g.padW
        let h1 = min(h0 + g.kernelH, g.height + g.padH), w1 = min(w0 + g.kernelW, g.width + g.padW)
        let padded = Float((h1 - h0) * (w1 - w0))
        let rows = max(h0, 0)..<min(h1, g.height), cols = max(w0, 0)..<min(w1, g.width)
        return (rows, cols, countIncludePad ? padded : Float(rows.count * cols.count))
    }

    /// Adaptive average pooling: bin i covers [⌊i·H/out⌋, ⌈(i+1)·H/out⌉), as PyTorch.
    static func adaptiveBins(input: Int, output: Int) -> [Range<Int>] {
        (0..<output).map { i in (i * input / output)..<(((i + 1) * input + output - 1) / output) }
    }
}
