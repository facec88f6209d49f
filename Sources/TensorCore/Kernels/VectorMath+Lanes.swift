/// Sixteen-lane blocks for kernels that run along a strided axis (softmax and its
/// statistics over classes): partial loads and stores for the last block and a bitwise select
/// (the vector exponential and logarithm: `VectorMath+Transcendental.swift`).
extension VectorMath {
    /// `a` where `mask` holds, `b` elsewhere, as bit operations (the generic
    /// `replacing(with:where:)` goes lane by lane).
    @inline(__always)
    static func select(_ a: SIMD16<Float>, where mask: SIMDMask<SIMD16<Int32>>, else b: SIMD16<Float>) -> SIMD16<Float> {
        let bits = unsafeBitCast(mask, to: SIMD16<Int32>.self)
        let chosen = (unsafeBitCast(a, to: SIMD16<Int32>.self) & bits) | (unsafeBitCast(b, to: SIMD16<Int32>.self) & ~bits)
        return unsafeBitCast(chosen, to: SIMD16<Float>.self)
    }

    /// The first `count` (≤ 16) elements at `source` in lanes, `fill` in the rest.
    @inline(__always)
    static func load(_ source: UnsafePointer<Float>, count: Int, fill: Float = 0) -> SIMD16<Float> {
        if count >= 16 { return UnsafeRawPointer(source).loadUnaligned(as: SIMD16<Float>.self) }
        var lanes = SIMD16<Float>(repeating: fill)
        for i in 0..<count { lanes[i] = source[i] }
        return lanes
    }

    /// Stores the first `count` (≤ 16) lanes at `target`.
    @inline(__always)
    static func store(_ lanes: SIMD16<Float>, _ target: UnsafeMutablePointer<Float>, count: Int) {
        if count >= 16 { UnsafeMutableRawPointer(target).storeBytes(of: lanes, as: SIMD16<Float>.self); return }
        for i in 0..<count { target[i] = lanes[i] }
    }
}
