/// Sizes of one 2-D convolution (or pooling window), PyTorch conventions.
public struct ConvGeometry: Sendable, Equatable {
    public var batch: Int, inChannels: Int, height: Int, width: Int
    public var outChannels: Int, kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int, padH: Int, padW: Int, dilationH: Int, dilationW: Int
    public var groups: Int

    /// Output height: ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1.
    public var outHeight: Int { (height + 2 * padH - dilationH * (kernelH - 1) - 1) / strideH + 1 }
    /// Output width.
    public var outWidth: Int { (width + 2 * padW - dilationW * (kernelW - 1) - 1) / strideW + 1 }
    /// Input channels per group.
    var groupIn: Int { inChannels / groups }
    /// Output channels per group.
    var groupOut: Int { outChannels / groups }
    /// Rows of the im2col matrix: Cg·kh·kw.
    var patch: Int { groupIn * kernelH * kernelW }
    /// A 1x1, stride-1, unpadded convolution is a plain matrix product.
    var isPointwise: Bool { kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0 }
    /// One filter per channel (multiplier 1): the direct depthwise kernel applies.
    var isDepthwise: Bool { groups == inChannels && outChannels == inChannels && groups > 1 }

    /// Output columns `ow` whose input column `ow·s − p + kj·d` lies inside the image.
    @inline(__always)
    func validColumns(tap kj: Int) -> Range<Int> {
        let shift = kj * dilationW - padW
        let lower = shift >= 0 ? 0 : (-shift + strideW - 1) / strideW
        let upper = width - 1 - shift < 0 ? 0 : (width - 1 - shift) / strideW + 1
        return lower..<max(lower, min(outWidth, upper))
    }
}

/// im2col / col2im over a band of output rows, so the column buffer stays bounded.
enum Im2col {
    /// col[k, p] for k = (c·kh + ki)·kw + kj over channels of one group, p over output rows
    /// `rows`; the patch rows are split across workers.
    static func gather(_ input: UnsafePointer<Float>, _ g: ConvGeometry, rows: Range<Int>,
                       into col: UnsafeMutablePointer<Float>) {
        parallelFor(g.patch, grain: max(1, 16_384 / max(rows.count * g.outWidth, 1))) { range in
            gather(input, g, rows: rows, patchRows: range, into: col)
        }
    }

    /// The patch rows `patchRows` of ``gather(_:_:rows:into:)``, on the calling thread.
    static func gather(_ input: UnsafePointer<Float>, _ g: ConvGeometry, rows: Range<Int>, patchRows: Range<Int>,
                       into col: UnsafeMutablePointer<Float>) {
        let ow = g.outWidth, cols = rows.count * ow, taps = g.kernelH * g.kernelW
        for k in patchRows {
            let c = k / taps, ki = (k / g.kernelW) % g.kernelH, kj = k % g.kernelW
            let plane = input + c * g.height * g.width
            let valid = g.validColumns(tap: kj)
            let shift = kj * g.dilationW - g.padW
            for (r, oh) in rows.enumerated() {
                let dst = col + k * cols + r * ow
                let ih = oh * g.strideH - g.padH + ki * g.dilationH
                guard ih >= 0 && ih < g.height, !valid.isEmpty else {
                    dst.initialize(repeating: 0, count: ow)
                    continue
                }
                if valid.lowerBound > 0 { dst.initialize(repeating: 0, count: valid.lowerBound) }
                if valid.upperBound < ow { (dst + valid.upperBound).initialize(repeating: 0, count: ow - valid.upperBound) }
                let src = plane + ih * g.width + shift
                if g.strideW == 1 {
                    (dst + valid.lowerBound).update(from: src + valid.lowerBound, count: valid.count)
                } else {
                    for x in valid { dst[x] = src[x * g.strideW] }
                }
            }
        }
    }

    /// Adds col[k, p] back into the input gradient (the adjoint of `gather`).
    static func scatterAdd(_ col: UnsafePointer<Float>, _ g: ConvGeometry, rows: Range<Int>,
                           into input: UnsafeMutablePointer<Float>) {
        let ow = g.outWidth, cols = rows.count * ow, taps = g.kernelH * g.kernelW
        parallelFor(g.groupIn, grain: 1) { range in
            for c in range {
                let plane = input + c * g.height * g.width
                for t in 0..<taps {
                    let ki = t / g.kernelW, kj = t % g.kernelW, k = c * taps + t
                    let valid = g.validColumns(tap: kj)
                    let shift = kj * g.dilationW - g.padW
                    for (r, oh) in rows.enumerated() {
                        let ih = oh * g.strideH - g.padH + ki * g.dilationH
                        guard ih >= 0 && ih < g.height else { continue }
                        let src = col + k * cols + r * ow, dst = plane + ih * g.width + shift
                        if g.strideW == 1 {
                            for x in valid { dst[x] += src[x] }
                        } else {
                            for x in valid { dst[x * g.strideW] += src[x] }
                        }
                    }
                }
            }
        }
    }
}
