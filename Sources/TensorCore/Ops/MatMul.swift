extension Tensor {
    /// Matrix product of [M,K]·[K,N], or batched [B,M,K]·[B,K,N] (either side may be 2-D
    /// and is then shared by every batch). PyTorch: `torch.matmul`.
    public func matmul(_ other: Tensor) -> Tensor {
        require((2...3).contains(rank) && (2...3).contains(other.rank),
                     "matmul: supports 2-D and 3-D operands, got \(shape) and \(other.shape)")
        let m = shape[rank - 2], k = shape[rank - 1], k2 = other.shape[other.rank - 2], n = other.shape[other.rank - 1]
        require(k == k2, "matmul: inner sizes differ: \(shape) · \(other.shape)")
        let batchA = rank == 3 ? shape[0] : 1, batchB = other.rank == 3 ? other.shape[0] : 1
        require(batchA == batchB || batchA == 1 || batchB == 1, "matmul: batch sizes differ: \(shape) · \(other.shape)")
        let batch = Swift.max(batchA, batchB)
        let outShape = (rank == 3 || other.rank == 3) ? [batch, m, n] : [m, n]
        let out = TensorStorage(uninitializedCount: batch * m * n)
        for b in 0..<batch {
            Gemm.sgemm(m: m, n: n, k: k, a: storage.pointer + (batchA == 1 ? 0 : b * m * k), lda: k,
                       b: other.storage.pointer + (batchB == 1 ? 0 : b * k * n), ldb: n,
                       c: out.pointer + b * m * n, ldc: n)
        }
        let (a, bT) = (detached(), other.detached())
        return .record("matmul", Tensor(shape: outShape, storage: out), inputs: [self, other]) { g in
            [requiresGrad ? g.matmul(bT.transposed()).sumToShape(a.shape) : nil,
             other.requiresGrad ? a.transposed().matmul(g).sumToShape(bT.shape) : nil]
        }
    }
}
