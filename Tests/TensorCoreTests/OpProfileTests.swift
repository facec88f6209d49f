import Testing
import TensorCore

@Suite("The op profile of bench --profile")
struct OpProfileTests {
    @Test("inside measure every recorded op, each backward rule and each named phase is charged, once per call; outside nothing is")
    func chargesOps() throws {
        let x = Tensor(shape: [2, 3], [1, 2, 3, 4, 5, 6]).requiringGrad()
        _ = (x * 2).sum()  // outside any profile: not charged
        let profile = OpProfile()
        profile.measure {
            let y = (x * 2).relu().sum()
            y.backward()
            OpProfile.charge("optimizer step")
            _ = GradMode.noGrad { x.exp() }
        }
        let rows = Dictionary(uniqueKeysWithValues: profile.table.map { ($0.op, $0) })
        for op in ["relu", "sum", "exp", "relu backward", "sum backward", "optimizer step"] {
            #expect(rows[op]?.calls == 1, "\(op): \(rows[op].map { "\($0.calls)" } ?? "missing")")
        }
        #expect(profile.table.allSatisfy { $0.seconds >= 0 } && profile.table.map(\.seconds) == profile.table.map(\.seconds).sorted(by: >))
        let report = profile.report(per: 1)
        #expect(report.hasPrefix("op") && report.contains("relu backward") && report.split(separator: "\n").last?.hasPrefix("total") == true)
        // The total sits under the total column, in plain characters (it once printed a Swift string through %s).
        let lines = report.split(separator: "\n"), header = try #require(lines.first), total = try #require(lines.last)
        let column = try #require(header.range(of: "total ms")).upperBound
        #expect(total.allSatisfy { $0.isASCII } && total.count == header.distance(from: header.startIndex, to: column), "\(total)")
    }

    @Test("the memory peak counts live tensor buffers by the op that made them, and forgets them when they die")
    func memoryPeak() {
        let profile = OpProfile()
        let x = Tensor(shape: [1000], (0..<1000).map(Float.init))
        profile.measure {
            let squared = x * x  // 4000 bytes, alive throughout
            for _ in 0..<3 { _ = squared.exp() }  // 4000 bytes each, dead before the next
        }
        let peak = profile.memoryPeak
        #expect(peak.bytes == 8000, "\(peak)")
        #expect(peak.byOp["mul"] == 4000 && peak.byOp["(being computed)"] == 4000, "\(peak.byOp)")
        #expect(profile.memoryReport().hasPrefix("peak live tensor memory"))
    }
}
