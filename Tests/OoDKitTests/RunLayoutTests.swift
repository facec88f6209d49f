import Testing
import OoDKit

@Suite("RunLayout: every file name of a run in one place")
struct RunLayoutTests {
    @Test("stage files, the eval folder and the store sit where the docs say; only canonical step names parse")
    func names() {
        let layout = RunLayout("runs/x")
        #expect(layout.final("rpl") == "runs/x/rpl/final.h5" && layout.log("rpl") == "runs/x/rpl/log.jsonl")
        #expect(layout.checkpoint("rpl", step: 300) == "runs/x/rpl/step_000300.h5")
        #expect(layout.evalFolder == "runs/x/eval" && layout.featureStore == "runs/x/feature-store")
        #expect(RunLayout.step(ofCheckpointNamed: "step_000300.h5") == 300)
        for name in ["step_300.h5", "final.h5", "step_000300.h5.tmp", "step_-00001.h5"] { #expect(RunLayout.step(ofCheckpointNamed: name) == nil, "\(name)") }
    }
}
