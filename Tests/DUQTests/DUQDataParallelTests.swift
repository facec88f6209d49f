import Testing
import DUQ
import OoDKit
import PixelOoDTestSupport

@Suite("DUQ trains data-parallel: its terms split over the ranks and its centroids follow the whole batch", .serialized)
struct DUQDataParallelTests {
    @Test("a DUQ stage on a trained segmenter (duq.bce + 0.5 gradient penalty, the centroids' moving average): each of 3 steps on 2 ranks equals its 1-rank step to 1e-5, centroid buffers included")
    func stepsEqual() throws {
        let runs = DataParallelRuns(try TrainingFixture(plugins: [DUQPlugin.self]))
        let loaded = try runs.recipe("""
              - name: seg
                losses: [{type: cross_entropy}]
                optimizer: {type: sgd, lr: 0.05, momentum: 0.9}
                iterations: 3
                checkpoint_every: 1
              - name: duq
                head: {type: duq, embedding: 8}
                losses: [{type: duq.bce}, {type: duq.gradient_penalty, weight: 0.5}]
                optimizer: {type: sgd, lr: 0.001, momentum: 0.9}  # at 0.05 the penalty diverged (loss 48 → 5e7 → 4e8) and steps compared amplified rounding
                iterations: 3
                checkpoint_every: 1
            """)
        let whole = try runs.train(loaded, folder: "whole", ranks: 1)
        #expect(whole.map(\.stage) == ["seg", "duq"])
        for (k, step) in try runs.stepwise(loaded, stage: "duq", before: whole[0].checkpoint).enumerated() {
            #expect(step.equal, "step \(k + 1): worst \(step.worst), losses \(step.losses)")
        }
    }
}
