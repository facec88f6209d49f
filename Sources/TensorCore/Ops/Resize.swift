extension Tensor {
    /// Bilinear resize of `[N, C, H, W]` to `size`.
    /// PyTorch: `F.interpolate(x, size, mode="bilinear", align_corners=alignCorners)`.
    public func resizeBilinear(to size: (height: Int, width: Int), alignCorners: Bool) -> Tensor {
        require(rank == 4, "resize_bilinear: input must be [N, C, H, W], got \(shape)")
        require(size.height > 0 && size.width > 0, "resize_bilinear: invalid size \(size)")
        let (inH, inW) = (shape[2], shape[3])
        if (inH, inW) == size { return self }
        let planes = shape[0] * shape[1]
        let rows = BilinearKernels.Axis(input: inH, output: size.height, alignCorners: alignCorners)
        let cols = BilinearKernels.Axis(input: inW, output: size.width, alignCorners: alignCorners)
        let outShape = [shape[0], shape[1], size.height, size.width]
        let out = TensorStorage(uninitializedCount: Shape.count(outShape))
        BilinearKernels.forward(storage.pointer, planes: planes, inH: inH, inW: inW, rows: rows, cols: cols, into: out.pointer)
        let source = shape
        return .record("resize_bilinear", Tensor(shape: outShape, storage: out), inputs: [self]) { g in
            let gx = TensorStorage(uninitializedCount: Shape.count(source))
            BilinearKernels.backward(g.storage.pointer, planes: planes, inH: inH, inW: inW, rows: rows, cols: cols, into: gx.pointer)
            return [Tensor(shape: source, storage: gx)]
        }
    }
}
