/// Small vector primitives with explicit SIMD accumulators: Swift keeps IEEE evaluation
/// order, so a plain `acc += a[i] * b[i]` loop never vectorises; splitting the sum over
/// 16 lanes does (results differ from a sequential sum only by rounding). Multiply and add
/// stay separate: `addProduct` demands a fused multiply-add, which the baseline x86-64
/// target has no instruction for, and becomes a libm call per lane.
enum VectorMath {
    /// Σ a[i]·b[i] over `count` contiguous elements.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= count {
            let va = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            let vb = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            lanes += va * vb
            i += 16
        }
        var total = lanes.sum()
        while i < count { total += a[i] * b[i]; i += 1 }
        return total
    }

    /// Σ a[i] over `count` contiguous elements.
    @inline(__always)
    static func sum(_ a: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD16<Float>(repeating: 0)
        var i = 0
        while i + 16 <= count {
            lanes += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            i += 16
        }
        var total = lanes.sum()
        while i < count { total += a[i]; i += 1 }
        return total
    }

    /// y[i] += alpha·x[i] over `count` contiguous elements (x and y must not overlap).
    @inline(__always)
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        let va = SIMD16<Float>(repeating: alpha)
        var i = 0
        while i + 16 <= count {
            var vy = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD16<Float>.self)
            vy += va * UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: vy, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { y[i] += alpha * x[i]; i += 1 }
    }
}
