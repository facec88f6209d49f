/// Bilinear interpolation with PyTorch's source-index rules (`upsample_bilinear2d`).
enum BilinearKernels {
    /// Per output coordinate: the lower source index, the step to the upper one (0 or 1) and its weight.
    struct Axis {
        var lower: [Int], step: [Int], weight: [Float]

        init(input: Int, output: Int, alignCorners: Bool) {
            lower = []; step = []; weight = []
            let scale: Float = alignCorners
                ? (output > 1 ? Float(input - 1) / Float(output - 1) : 0)
                : Float(input) / Float(output)
            for o in 0..<output {
                var src = alignCorners ? scale * Float(o) : scale * (Float(o) + 0.5) - 0.5
                if src < 0 { src = 0 }
                let i0 = min(Int(src), input - 1)
                lower.append(i0)
                step.append(i0 < input - 1 ? 1 : 0)
                weight.append(src - Float(i0))
            }
        }
    }

    static func forward(_ x: UnsafePointer<Float>, planes: Int, inH: Int, inW: Int, rows: Axis, cols: Axis,
                        into y: UnsafeMutablePointer<Float>) {
        let outH = rows.lower.count, outW = cols.lower.count
        parallelFor(planes * outH, grain: max(1, 16_384 / max(outW, 1))) { range in
            for pr in range {
                let p = pr / outH, r = pr % outH
                let ly = rows.weight[r], top = x + p * inH * inW + rows.lower[r] * inW
                let bottom = top + rows.step[r] * inW
                let dst = y + pr * outW
                for c in 0..<outW {
                    let x0 = cols.lower[c], x1 = x0 + cols.step[c], lx = cols.weight[c]
                    let t = top[x0] + lx * (top[x1] - top[x0])
                    let b = bottom[x0] + lx * (bottom[x1] - bottom[x0])
                    dst[c] = t + ly * (b - t)
                }
            }
        }
    }

    static func backward(_ gy: UnsafePointer<Float>, planes: Int, inH: Int, inW: Int, rows: Axis, cols: Axis,
                         into gx: UnsafeMutablePointer<Float>) {
        let outH = rows.lower.count, outW = cols.lower.count
        parallelFor(planes, grain: 1) { range in
            for p in range {
                let dst = gx + p * inH * inW
                dst.initialize(repeating: 0, count: inH * inW)
                for r in 0..<outH {
                    let ly = rows.weight[r], top = dst + rows.lower[r] * inW, bottom = top + rows.step[r] * inW
                    let src = gy + (p * outH + r) * outW
                    for c in 0..<outW {
                        let x0 = cols.lower[c], x1 = x0 + cols.step[c], lx = cols.weight[c], g = src[c]
                        top[x0] += (1 - ly) * (1 - lx) * g
                        top[x1] += (1 - ly) * lx * g
                        bottom[x0] += ly * (1 - lx) * g
                        bottom[x1] += ly * lx * g
                    }
                }
            }
        }
    }
}
