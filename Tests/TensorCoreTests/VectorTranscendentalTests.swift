import CVectorMath
import Foundation
import Testing
@testable import TensorCore

/// The vector exponential and logarithm (`CVectorMath`) against libm's `expf` and `logf`, bit
/// for bit, on every instruction set this CPU runs. By default every 251st float bit pattern
/// (17 million inputs: every sign and exponent) and the edges; `PIXELOOD_EXHAUSTIVE=1` checks
/// all 2^32.
@Suite("Vector exponential and logarithm")
struct VectorTranscendentalTests {
    /// A vector kernel beside the libm function it must equal.
    struct Function: CustomStringConvertible, Sendable {
        let description: String
        let vector: @Sendable (pxo_isa, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
        let libm: @Sendable (Float) -> Float
    }

    static let functions = [
        Function(description: "exp", vector: { pxo_expf_on($0, $1, $2, $3) }, libm: { Foundation.exp($0) }),
        Function(description: "log", vector: { pxo_logf_on($0, $1, $2, $3) }, libm: { Foundation.log($0) }),
    ]

    /// The instruction sets to compare: scalar, and each vector one this CPU has.
    var instructionSets: [pxo_isa] {
        [PXO_ISA_SCALAR, PXO_ISA_AVX2, PXO_ISA_AVX512].filter { $0.rawValue <= pxo_vector_isa().rawValue }
    }

    /// The first input of `values` whose result differs from libm's in its bits (NaN equals NaN).
    func firstDifference(_ values: [Float], _ function: Function, on isa: pxo_isa)
        -> (input: Float, got: Float, expected: Float)? {
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in
                if let input = x.baseAddress, let output = y.baseAddress { function.vector(isa, input, output, values.count) }
            }
        }
        for (x, y) in zip(values, out) {
            let expected = function.libm(x)
            if y.bitPattern != expected.bitPattern && !(y.isNaN && expected.isNaN) { return (x, y, expected) }
        }
        return nil
    }

    @Test("equals libm on sampled bit patterns", arguments: functions)
    func sampledBitPatterns(_ function: Function) {
        let exhaustive = ProcessInfo.processInfo.environment["PIXELOOD_EXHAUSTIVE"] == "1"
        let step: UInt64 = exhaustive ? 1 : 251
        let block = 1 << 20
        for isa in instructionSets {
            var pattern: UInt64 = 0
            while pattern < 1 << 32 {
                var values = [Float]()
                values.reserveCapacity(block)
                while values.count < block && pattern < 1 << 32 {
                    values.append(Float(bitPattern: UInt32(pattern)))
                    pattern += step
                }
                let difference = firstDifference(values, function, on: isa)
                #expect(difference == nil, "instruction set \(isa.rawValue): \(String(describing: difference))")
                if difference != nil { break }
            }
        }
    }

    @Test("equals libm at the edges: limits of the lanes, overflow, underflow, specials", arguments: functions)
    func edges(_ function: Function) {
        var values: [Float] = [0, -0, 1, -1, .infinity, -.infinity, .nan, -.nan, .leastNonzeroMagnitude,
                               .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .ulpOfOne]
        for edge: Float in [88, -88, 88.72284, -103.97208, -103.27893, 0.5 * Float(M_LN2), 1, 0x1.66p-1,
                            .leastNormalMagnitude] {
            var x = edge
            for _ in 0..<64 { values.append(x); values.append(-x); x = x.nextUp }
            x = edge
            for _ in 0..<64 { values.append(x); x = x.nextDown }
        }
        for isa in instructionSets {
            let difference = firstDifference(values, function, on: isa)
            #expect(difference == nil, "instruction set \(isa.rawValue): \(String(describing: difference))")
        }
    }

    @Test("every length's tail, and in place", arguments: functions)
    func tailsAndInPlace(_ function: Function) {
        let source = (0..<37).map { Float($0) * 3.7 - 70 }
        for isa in instructionSets {
            for count in 0...source.count {
                var values = Array(source.prefix(count))
                values.withUnsafeMutableBufferPointer { buffer in
                    if let base = buffer.baseAddress { function.vector(isa, base, base, count) }
                }
                #expect(values.map(\.bitPattern) == source.prefix(count).map { function.libm($0).bitPattern })
            }
        }
    }

    @Test("exp, log and sigmoid tensors have the scalar formulas' values")
    func tensorOps() {
        let x = Tensor(shape: [3, 37], (0..<111).map { Float($0) * 1.9 - 100 })
        #expect(x.exp().scalars.map(\.bitPattern) == x.scalars.map { Foundation.exp($0).bitPattern })
        let positive = Tensor(shape: [3, 37], (0..<111).map { Float($0) * 0.37 + 0.001 })
        #expect(positive.log().scalars.map(\.bitPattern) == positive.scalars.map { Foundation.log($0).bitPattern })
        #expect(x.sigmoid().scalars.map(\.bitPattern) == x.scalars.map { (1 / (1 + Foundation.exp(-$0))).bitPattern })
    }
}
