import Foundation
import Testing
import NeuralNet
import OoDKit
import PostHoc
import TensorCore
import PixelOoDTestSupport

@Suite("trains: fit stages", .serialized)
struct FitStageTests {
    static let stages = TrainingFixture.segmenterStage + """

          - name: sml
            trains: fit
            head: {type: sml}
          - name: mahalanobis
            trains: fit
            head: {type: mahalanobis}
        """

    @Test("a segmenter stage, then SML and Mahalanobis fitted on data.train: buffers in final.h5, the second fit reads the store")
    func fitsAfterTraining() throws {
        let fixture = try TrainingFixture(plugins: [PostHocPlugin.self])
        let loaded = try fixture.recipe(Self.stages)
        let store = fixture.folder.path + "/store"
        let results = try Trainer(try loaded.compiled(fixture.registry), options: .init(progress: .none, storeDirectory: store)).run()
        #expect(results.map(\.stage) == ["seg", "sml", "mahalanobis"])
        #expect(results[1].fittedImages == 4 && results[2].fittedImages == 4)
        let sml = try Checkpoint.load(from: results[1].checkpoint).model
        #expect(sml.roots == ["segmenter", "head"])
        #expect(sml.scoped("head").keys == ["class_mean", "class_var", "class_fraction"])
        let seg = try Checkpoint.load(from: results[0].checkpoint).model.scoped("segmenter")
        for key in seg.keys { #expect(sml.scoped("segmenter")[key]?.scalars == seg[key]?.scalars, "\(key) moved") }
        let means = try #require(sml.scoped("head")["class_mean"]).scalars
        #expect(means.allSatisfy(\.isFinite) && means.contains { $0 != 0 }, "fitted, not the initial zeros")
        let maha = try Checkpoint.load(from: results[2].checkpoint).model.scoped("head")
        #expect(maha.keys == ["class_means", "whitening"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: store).count == 1, "both fits share one store file")

        // Fitting again gives the same statistics, now from the store.
        let again = try Trainer(try loaded.compiled(fixture.registry, workDir: fixture.folder.path + "/again"),
                                options: .init(progress: .none, storeDirectory: store)).run()
        #expect(try Checkpoint.load(from: again[1].checkpoint).model.scoped("head")["class_var"]?.scalars
                == sml.scoped("head")["class_var"]?.scalars)
    }

    @Test("fit stages reject gradient keys, and fit_images outside a fit stage is a typed recipe error")
    func rejectsMisuse() throws {
        let fixture = try TrainingFixture(plugins: [PostHocPlugin.self])
        #expect(throws: RecipeError.self) {
            _ = try fixture.recipe("""
                  - name: sml
                    trains: fit
                    head: {type: sml}
                    optimizer: {type: adam, lr: 0.001}
                """)
        }
        #expect(throws: RecipeError.self) {
            _ = try fixture.recipe("""
                  - name: sml
                    head: {type: sml}
                    fit_images: 3
                    losses: [{type: cross_entropy}]
                    optimizer: {type: adam, lr: 0.001}
                    iterations: 1
                """)
        }
    }
}
