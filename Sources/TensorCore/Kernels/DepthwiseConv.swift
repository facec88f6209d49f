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
                            for col in valid { d[col] += wv * s[col] }
                        } else {
                            for col in valid { d[col] += wv * s[col * g.strideW] }
                        }
                    }
                }
            }
        }
    }

    /// Input and weight gradients; either pointer may be nil when not needed.
    static func backward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                         _ g: ConvGeometry, gx: UnsafeMutablePointer<Float>?, gw: UnsafeMutablePointer<Float>?) {
        let oh = g.outHeight, ow = g.outWidth, taps = g.kernelH * g.kernelW
        parallelFor(g.inChannels, grain: 1) { range in
            for c in range {
                for t in 0..<taps { gw?[c * taps + t] = 0 }
                for n in 0..<g.batch {
                    let plane = n * g.inChannels + c
                    let src = x + plane * g.height * g.width, up = gy + plane * oh * ow
                    let dx = gx.map { $0 + plane * g.height * g.width }
                    dx?.initialize(repeating: 0, count: g.height * g.width)
                    for t in 0..<taps {
                        let ki = t / g.kernelW, kj = t % g.kernelW, wv = w[c * taps + t]
                        let valid = g.validColumns(tap: kj), shift = kj * g.dilationW - g.padW
                        var acc: Float = 0
                        for r in 0..<oh {
                            let ih = r * g.strideH - g.padH + ki * g.dilationH
                            guard ih >= 0 && ih < g.height else { continue }
                            let u = up + r * ow, base = ih * g.width + shift
                            for col in valid {
                                let xi = base + col * g.strideW
                                acc += u[col] * src[xi]
                                dx?[xi] += wv * u[col]
                            }
                        }
                        gw?[c * taps + t] += acc
                    }
                }
            }
        }
    }
}
