/// Copies an N-d strided view into another strided view of the same shape.
///
/// One kernel serves broadcast, permute, slice, pad and concat: each describes its source
/// and destination as (offset, strides) over the copied shape. Stride 0 in the source
/// broadcasts. Parallel over outer rows; the innermost axis is a tight loop.
enum StridedCopy {
    static func copy(shape: [Int],
                     from src: UnsafePointer<Float>, strides srcStrides: [Int], offset srcOffset: Int = 0,
                     to dst: UnsafeMutablePointer<Float>, dstStrides: [Int], dstOffset: Int = 0) {
        let total = Shape.count(shape)
        guard total > 0 else { return }
        var (dims, ss, ds) = Elementwise.collapse(shape, srcStrides, dstStrides)
        if dims.isEmpty { (dims, ss, ds) = ([1], [0], [0]) }
        let inner = dims[dims.count - 1], si = ss[ss.count - 1], di = ds[ds.count - 1]
        let outerDims = Array(dims.dropLast()), outerS = Array(ss.dropLast()), outerD = Array(ds.dropLast())
        let rows = Shape.count(outerDims)
        let s = src + srcOffset, d = dst + dstOffset
        parallelFor(rows, grain: max(1, 65_536 / max(inner, 1))) { range in
            for row in range {
                var offS = 0, offD = 0, rest = row
                for k in stride(from: outerDims.count - 1, through: 0, by: -1) {
                    let idx = rest % outerDims[k]
                    rest /= outerDims[k]
                    offS += idx * outerS[k]
                    offD += idx * outerD[k]
                }
                let ps = s + offS, pd = d + offD
                if si == 1 && di == 1 {
                    pd.update(from: ps, count: inner)
                } else if si == 0 {
                    let v = ps[0]
                    for i in 0..<inner { pd[i * di] = v }
                } else {
                    for i in 0..<inner { pd[i * di] = ps[i * si] }
                }
            }
        }
    }
}
