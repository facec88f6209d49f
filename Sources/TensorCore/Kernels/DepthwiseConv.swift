/// Direct depthwise convolution (one filter per channel), parallel over planes.
enum DepthwiseConv {
    static func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ g: ConvGeometry,
                        into y: UnsafeMutablePointer<Float>) {
        let oh = g.outHeight, ow = g.outWidth, taps = g.kernelH * g.kernelW
        parallelFor(g.batch * g.inChannels, grain: 1) { range in
            for plane in range {
                let c = plane % g.inChannels
                let src = x + plane * g.height * g.width, dst = y + plane * oh * ow
                dst.initialize(repeating: 0, count: oh * ow)
                for t in 0..<taps {
                    let ki = t / g.kernelW, kj = t % g.kernelW, wv = w[c * taps + t]
                    let valid = g.validColumns(tap: kj), shift = kj * g.dilationW - g.padW
                    for r in 0..<oh {
                        let ih = r * g.strideH - g.padH + ki * g.dilationH
                        guard ih >= 0 && ih < g.height else { continue }
                        let s = src + ih * g.width + shift, d = dst + r * ow
                        if g.strideW == 1 {
                            VectorMath.axpy(wv, s + valid.lowerBound, d + valid.lowerBound, count: valid.count)
                        } else {
                            for col in valid { d[col] += wv * s[col * g.strideW] }
                        }
                    }
                }
            }
        }
    }

    /// Input and weight gradients; either pointer may be nil when not needed.
    /// Parallel over channels: each channel's filter and input planes belong to one worker.
    static func backward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                         _ g: ConvGeometry, gx: UnsafeMutablePointer<Float>?, gw: UnsafeMutablePointer<Float>?) {
        let oh = g.outHeight, ow = g.outWidth, taps = g.kernelH * g.kernelW, inPlane = g.height * g.width
        parallelFor(g.inChannels, grain: 1) { range in
            for c in range {
                if let gw { (gw + c * taps).initialize(repeating: 0, count: taps) }
                for n in 0..<g.batch {
                    let plane = n * g.inChannels + c
                    let src = x + plane * inPlane, up = gy + plane * oh * ow
                    if let gw { weightGrad(src, up, g, into: gw + c * taps) }
                    if let gx { inputGrad(up, w + c * taps, g, into: gx + plane * inPlane) }
                }
            }
        }
    }

    /// gw[t] += Σ gy[r, col] · x[tap-shifted (r, col)] for one plane.
    private static func weightGrad(_ src: UnsafePointer<Float>, _ up: UnsafePointer<Float>, _ g: ConvGeometry,
                                   into gw: UnsafeMutablePointer<Float>) {
        let ow = g.outWidth
        for t in 0..<(g.kernelH * g.kernelW) {
            let ki = t / g.kernelW, kj = t % g.kernelW
            let valid = g.validColumns(tap: kj), shift = kj * g.dilationW - g.padW
            var acc: Float = 0
            for r in 0..<g.outHeight {
                let ih = r * g.strideH - g.padH + ki * g.dilationH
                guard ih >= 0 && ih < g.height else { continue }
                let u = up + r * ow, s = src + ih * g.width + shift
                if g.strideW == 1 {
                    acc += VectorMath.dot(u + valid.lowerBound, s + valid.lowerBound, count: valid.count)
                } else {
                    for col in valid { acc += u[col] * s[col * g.strideW] }
                }
            }
            gw[t] += acc
        }
    }

    /// gx (overwritten) = the transposed depthwise convolution of gy for one plane.
    private static func inputGrad(_ up: UnsafePointer<Float>, _ filter: UnsafePointer<Float>, _ g: ConvGeometry,
                                  into dx: UnsafeMutablePointer<Float>) {
        let ow = g.outWidth
        dx.initialize(repeating: 0, count: g.height * g.width)
        for t in 0..<(g.kernelH * g.kernelW) {
            let ki = t / g.kernelW, kj = t % g.kernelW, wv = filter[t]
            let valid = g.validColumns(tap: kj), shift = kj * g.dilationW - g.padW
            for r in 0..<g.outHeight {
                let ih = r * g.strideH - g.padH + ki * g.dilationH
                guard ih >= 0 && ih < g.height else { continue }
                let u = up + r * ow, d = dx + ih * g.width + shift
                if g.strideW == 1 {
                    VectorMath.axpy(wv, u + valid.lowerBound, d + valid.lowerBound, count: valid.count)
                } else {
                    for col in valid { d[col * g.strideW] += wv * u[col] }
                }
            }
        }
    }
}
