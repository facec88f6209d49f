import Foundation
import Testing
@testable import PixelOoDCommands
import DenseHybrid
import OoDKit
import TensorCore
import PixelOoDTestSupport

@Suite("inspect --against: what a strict load would refuse")
struct LoadCheckTests {
    @Test("a converted DenseHybrid release loads into ldn121 + eval.heads; a stray loss key and an unread head root are flagged")
    func flagsRefusedKeys() throws {
        let registry = try Registry(plugins: [DenseHybridPlugin.self])
        let folder = try scratchDirectory("load-check")
        func recipe(_ text: String) throws -> LoadedRecipe {
            let path = folder.appendingPathComponent("r.yaml").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return try RecipeLoader.load(path)
        }
        let path = Fixture.directory.appendingPathComponent("models/converted_densehybrid_ldn121.h5").path
        let state = try StateDict.load(from: path)
        let withHead = try recipe("segmenter: {type: ldn121, width_divisor: 8}\neval: {heads: [densehybrid]}\n")
        let fine = try LoadCheck.report(state, file: path, recipe: try withHead.compiled(registry))
        #expect(fine.loads, "\(fine.lines)")

        var stray = StateDict()
        for entry in state.entries { stray.append(entry.key, entry.tensor, dtype: entry.dtype) }
        stray.append("segmenter.criterion.nll_loss.weight", Tensor.zeros([19]))
        let refused = try LoadCheck.report(stray, file: path, recipe: try withHead.compiled(registry))
        #expect(!refused.loads && refused.lines.joined().contains("criterion.nll_loss.weight"))

        let segmenterOnly = try LoadCheck.report(state, file: path, recipe: try recipe("segmenter: {type: ldn121, width_divisor: 8}\n").compiled(registry))
        #expect(!segmenterOnly.loads && segmenterOnly.lines.last?.contains("head.") == true, "\(segmenterOnly.lines)")
    }
}
