import Foundation
import Testing
import NeuralNet
import OoDKit
import SceneData
import TensorCore
import PixelOoDTestSupport

extension TrainingFixture {
    /// The training recipe plus an eval section on the three synthetic anomaly sets.
    func evalRecipe(_ extra: String = "") throws -> LoadedRecipe {
        try recipe(TrainingFixture.segmenterStage, extra: """
            eval:
            \(extra)
              datasets:
                - {type: synthetic_anomalies, root: \(folder.path)/data, set: static}
                - {type: synthetic_anomalies, root: \(folder.path)/data, set: obstacle}
                - {type: synthetic_anomalies, root: \(folder.path)/data, set: country}
            """)
    }
}

@Suite("The evaluator and its feature store", .serialized)
struct EvaluatorTests {
    @Test("split over three ranks (threads), each scoring every third image, rank 0's report equals one process's: rows, examples, mIoU, passes, component metrics")
    func sharded() throws {
        let fixture = try TrainingFixture()
        let data = fixture.folder.path + "/data5"
        try SyntheticWorld(width: 128, height: 64, seed: 8).write(to: data, counts: .init(train: 4, val: 4, outliers: 2, perAnomalySet: 5))
        let loaded = try fixture.recipe(TrainingFixture.segmenterStage, extra: """
            eval:
              datasets:
                - {type: synthetic_anomalies, root: \(data), set: static}
                - {type: synthetic_anomalies, root: \(data), set: obstacle}
            """)
        let compiled = try loaded.compiled(fixture.registry, workDir: fixture.folder.path + "/sharded")
        var withVal = loaded
        withVal.recipe.data?.val = try RecipeNode(yaml: "{type: cityscapes, root: \(data)/cityscapes, split: val}", file: "test")
        let whole = try Evaluator(try withVal.compiled(fixture.registry, workDir: fixture.folder.path + "/sharded"),
                                  options: .init(progress: .none, examplesPerSet: 4)).run()
        let valCompiled = try withVal.compiled(fixture.registry, workDir: fixture.folder.path + "/sharded")
        let reports = try ThreadGroup.run(ranks: 3) { group in
            try Evaluator(valCompiled, options: .init(progress: .none, examplesPerSet: 4, group: group)).runInGroup()
        }
        #expect(reports[1] == nil && reports[2] == nil)
        let split = try #require(reports[0])
        #expect(try JSONEncoder.reports.encode(split.rows) == JSONEncoder.reports.encode(whole.rows))
        #expect(split.meanIoU == whole.meanIoU && split.classIoU == whole.classIoU && whole.meanIoU != nil)
        #expect(split.backbonePasses == whole.backbonePasses && whole.backbonePasses == 10)
        #expect(split.examples.map { "\($0.dataset) \($0.index)" } == whole.examples.map { "\($0.dataset) \($0.index)" })
        #expect(split.examples.map(\.maps) == whole.examples.map(\.maps) && whole.examples.count == 8)
        #expect(throws: EvalError.notSharded(feature: "Evaluator.run()", ranks: 3)) {
            _ = try ThreadGroup.run(ranks: 3) { group in try Evaluator(compiled, options: .init(progress: .none, group: group)).run() }
        }
        // Component metrics: thresholds chosen on rank 0 and sent to every rank, each rank's second pass merged.
        let withComponents = try fixture.recipe(TrainingFixture.segmenterStage, extra: """
            eval:
              components: {min_predicted_size: 2, min_instance_size: 1}
              datasets: [{type: synthetic_anomalies, root: \(data), set: static}, {type: synthetic_anomalies, root: \(data), set: obstacle}]
            """).compiled(fixture.registry, workDir: fixture.folder.path + "/sharded")
        let one = try Evaluator(withComponents, options: .init(progress: .none)).run()
        let two = try ThreadGroup.run(ranks: 2) { group in
            try Evaluator(withComponents, options: .init(progress: .none, group: group)).runInGroup()
        }
        let components = try #require(two[0]).rows.map(\.components)
        #expect(try JSONEncoder.reports.encode(components) == JSONEncoder.reports.encode(one.rows.map(\.components)) && components.allSatisfy { $0 != nil },
                "component metrics equal one process's (NaN included: JSON): \(components) against \(one.rows.map(\.components))")
    }

    @Test("train a few steps, then the four logit scores on three sets cost one backbone pass per image, beside the colour-rarity baseline; a second run reads the store; spilled metrics equal")
    func endToEnd() throws {
        let fixture = try TrainingFixture()
        let loaded = try fixture.evalRecipe()
        let trained = try Trainer(try loaded.compiled(fixture.registry), options: .init(progress: .none)).run()
        let store = fixture.folder.path + "/store"
        let options = EvalOptions(checkpoint: trained[0].checkpoint, storeDirectory: store, progress: .none)
        let first = try Evaluator(try loaded.compiled(fixture.registry), options: options).run()
        #expect(first.rows.count == 15)
        #expect(first.rows.map(\.method).prefix(5) == ["max_softmax", "max_logit", "entropy", "energy", "colour_rarity"])
        #expect(first.rows.first?.dataset == "synthetic static")
        #expect(first.backbonePasses == 3 && first.storeHits == 0, "one pass per image for four scores")
        for row in first.rows {
            #expect((0...1).contains(row.pooled.auroc) && (0...1).contains(row.pooled.averagePrecision) && (0...1).contains(row.pooled.fpr))
            #expect(row.anomalyPixels > 0 && row.inlierPixels > 0)
        }
        #expect(first.meanIoU == nil)

        let second = try Evaluator(try loaded.compiled(fixture.registry), options: options).run()
        #expect(second.backbonePasses == 0 && second.storeHits == 3)
        #expect(second.rows.map(\.pooled) == first.rows.map(\.pooled), "cached maps give the same numbers")
        var spilling = options
        spilling.metricsMemoryBytes = 0
        let spilled = try Evaluator(try loaded.compiled(fixture.registry), options: spilling).run()
        #expect(spilled.rows.map(\.pooled) == first.rows.map(\.pooled) && spilled.rows.map(\.perImageMean) == first.rows.map(\.perImageMean)
                && spilled.rows.map(\.distribution) == first.rows.map(\.distribution), "metrics spilled to disk give the same numbers")

        let folder = fixture.folder.path + "/report"
        try second.write(to: folder)
        let markdown = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
        #expect(markdown.contains("| synthetic obstacle | energy |") && markdown.contains(first.segmenterHash))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/report.json"))) as? [String: Any]
        #expect((json?["rows"] as? [Any])?.count == 15 && json?["protocol"] != nil)

        // report.html: self-contained, the table, per set the example grid (image, ground truth, 5 heat maps), 2 curve charts, 5 histograms.
        #expect(second.examples.count == 3 && second.examples.allSatisfy { $0.maps.count == 5 })
        let html = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        #expect(html.components(separatedBy: "data:image/png;base64,").count - 1 == 3 * (2 + 5))
        // The trained stage's curves: the total and its one term over the 5 steps, drawn and listed.
        let curves = try #require(second.trainingCurves)
        #expect(curves.map(\.term) == ["loss", "cross_entropy"] && curves.allSatisfy { $0.stage == "seg" && $0.steps == [1, 2, 3, 4, 5] })
        #expect(markdown.contains("| seg | cross_entropy |"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 3 * (2 + 5) + curves.count && html.contains("<h2>Training</h2>"))
        #expect(!html.contains("src=\"http") && !html.contains("<script") && html.contains("<th colspan=\"3\">synthetic obstacle</th>"))
        let row = try #require(second.rows.first)
        let distribution = try #require(row.distribution)
        #expect(distribution.inliers.reduce(0, +) == UInt64(row.inlierPixels) && distribution.anomalies.reduce(0, +) == UInt64(row.anomalyPixels))
    }

    @Test("FrozenFeatures serves fitting on a frozen backbone (per-class mean features): the second fit reads the store, same numbers")
    func fittingFromTheStore() throws {
        let fixture = try TrainingFixture()
        let loaded = try fixture.evalRecipe()
        let context = BuildContext(registry: fixture.registry, rng: SeededGenerator(seed: 1))
        let segmenter = try fixture.registry.segmenters.build(loaded.recipe.segmenter, context)
        segmenter.eval().freeze()
        let train = try fixture.registry.datasets.build(try #require(loaded.recipe.data?.train), context)
        var features = FrozenFeatures(segmenter: segmenter, modelHash: segmenter.stateDict().contentHash,
                                      store: FeatureStore(directory: fixture.folder.path + "/store"), progress: .none)
        func classMeans() throws -> [Float] {
            var sums = [Float](repeating: 0, count: 19), counts = [Float](repeating: 0, count: 19)
            try features.forEach(train, root: "train", stage: "fit") { maps, _, labels in
                let out = try #require(maps["out"])
                let (h, w) = (out.shape[2], out.shape[3])
                let channelMean = GradMode.noGrad { out.mean(axis: 1) }.scalars  // [1, h, w]
                for y in 0..<h {
                    for x in 0..<w {
                        let label = labels.values[(y * labels.height / h) * labels.width + x * labels.width / w]
                        if label < 19 { sums[Int(label)] += channelMean[y * w + x]; counts[Int(label)] += 1 }
                    }
                }
            }
            return zip(sums, counts).map { $1 > 0 ? $0 / $1 : 0 }
        }
        let first = try classMeans()
        #expect(features.backbonePasses == train.count && features.storeHits == 0)
        let second = try classMeans()
        #expect(features.backbonePasses == train.count && features.storeHits == train.count, "the second fit runs no backbone")
        #expect(first == second && first.contains { $0 != 0 })
    }

    @Test("baselines: [] leaves only the logit scores; a baseline without data.train to fit on is an EvalError")
    func baselines() throws {
        let fixture = try TrainingFixture()
        let none = try Evaluator(try fixture.evalRecipe("  baselines: []").compiled(fixture.registry), options: .init(progress: .none)).run()
        #expect(none.rows.count == 12 && !none.rows.contains { $0.method.hasPrefix("colour_rarity") })
        let custom = try Evaluator(try fixture.evalRecipe("  scores: [energy]\n  baselines: [{type: colour_rarity, bins: 8}]").compiled(fixture.registry),
                                   options: .init(progress: .none)).run()
        #expect(custom.rows.map(\.method) == Array(repeating: ["energy", "colour_rarity bins=8"], count: 3).flatMap { $0 })
        var loaded = try fixture.evalRecipe()
        loaded.recipe.data?.train = nil
        #expect(throws: EvalError.nothingToFit(baseline: "colour_rarity")) {
            _ = try Evaluator(try loaded.compiled(fixture.registry), options: .init(progress: .none)).run()
        }
    }

    @Test("two trained heads beside the scores and the baseline still cost one backbone pass per image; an untrained head is an EvalError")
    func headsShareTheBackbonePass() throws {
        let fixture = try TrainingFixture()
        let headStages = ["out", "context"].map { feature in
            """

              - name: probe_\(feature)
                head: {type: probe, feature: \(feature)}
                losses: [{type: cross_entropy, logits: head}]
                optimizer: {type: adam, lr: 0.01}
                iterations: 2
            """
        }.joined()
        let loaded = try fixture.recipe(TrainingFixture.segmenterStage + headStages, extra: """
            eval:
              datasets:
                - {type: synthetic_anomalies, root: \(fixture.folder.path)/data, set: static}
                - {type: synthetic_anomalies, root: \(fixture.folder.path)/data, set: obstacle}
                - {type: synthetic_anomalies, root: \(fixture.folder.path)/data, set: country}
            """)
        #expect(throws: EvalError.untrainedHead(stage: "probe_out", checkpoint: fixture.folder.path + "/run/probe_out/final.h5")) {
            _ = try Evaluator(try loaded.compiled(fixture.registry), options: .init(progress: .none)).run()
        }
        _ = try Trainer(try loaded.compiled(fixture.registry), options: .init(progress: .none)).run()
        let report = try Evaluator(try loaded.compiled(fixture.registry), options: .init(progress: .none)).run()
        #expect(report.checkpoint == fixture.folder.path + "/run/probe_context/final.h5", "the trained segmenter by default")
        #expect(report.rows.count == 3 * 7)
        #expect(report.rows.map(\.method).suffix(2) == ["probe_out: probe feature=out", "probe_context: probe feature=context"])
        #expect(report.backbonePasses == 3, "four scores, a baseline and two heads: one backbone pass per image")
        let outHead = report.rows.filter { $0.method.hasPrefix("probe_out") }, contextHead = report.rows.filter { $0.method.hasPrefix("probe_context") }
        #expect(outHead.map(\.pooled) != contextHead.map(\.pooled), "each head scores with its own weights")
        let moved = fixture.folder.path + "/moved-run"
        try FileManager.default.copyItem(atPath: fixture.folder.path + "/run", toPath: moved)
        let fromMoved = try Evaluator(try loaded.compiled(fixture.registry, workDir: moved), options: .init(progress: .none)).run()
        #expect(fromMoved.checkpoint == moved + "/probe_context/final.h5" && fromMoved.rows.map(\.pooled) == report.rows.map(\.pooled),
                "the trained stages are read from the work folder given (eval --work-dir)")

        // A released checkpoint that carries its head: eval.heads takes the head. keys of --checkpoint.
        let released = try fixture.recipe("  []", extra: """
            eval:
              heads: [{type: probe, feature: out}]
              baselines: []
              datasets:
                - {type: synthetic_anomalies, root: \(fixture.folder.path)/data, set: static}
            """)
        #expect(throws: EvalError.noHeadWeights(head: "probe feature=out")) {
            _ = try Evaluator(try released.compiled(fixture.registry), options: .init(progress: .none)).run()
        }
        let fromCheckpoint = try Evaluator(try released.compiled(fixture.registry),
                                           options: .init(checkpoint: fixture.folder.path + "/run/probe_out/final.h5", progress: .none)).run()
        let row = try #require(fromCheckpoint.rows.first { $0.method == "checkpoint: probe feature=out" })
        #expect(row.pooled == outHead.first?.pooled, "the released head scores as the trained one")
    }

    @Test("a changed checkpoint is a miss, never a stale hit")
    func changedCheckpointMisses() throws {
        let fixture = try TrainingFixture()
        let loaded = try fixture.evalRecipe()
        _ = try Trainer(try loaded.compiled(fixture.registry), options: .init(progress: .none)).run()
        let store = fixture.folder.path + "/store"
        let early = fixture.folder.path + "/run/seg/step_000002.h5", late = fixture.folder.path + "/run/seg/final.h5"
        let a = try Evaluator(try loaded.compiled(fixture.registry), options: .init(checkpoint: early, storeDirectory: store, progress: .none)).run()
        let b = try Evaluator(try loaded.compiled(fixture.registry), options: .init(checkpoint: late, storeDirectory: store, progress: .none)).run()
        #expect(a.segmenterHash != b.segmenterHash)
        #expect(b.backbonePasses == 3 && b.storeHits == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store).filter { $0.hasSuffix(".h5") }.count == 6)
    }

    @Test("an interrupted store write leaves no store file to read back")
    func interruptedWrite() throws {
        let fixture = try TrainingFixture()
        let loaded = try fixture.evalRecipe()
        let country = try SyntheticWorld.reader(.country, in: fixture.folder.path + "/data")
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: country.samples[0].image))
        let store = fixture.folder.path + "/store"
        #expect(throws: (any Error).self) {
            _ = try Evaluator(try loaded.compiled(fixture.registry), options: .init(storeDirectory: store, progress: .none)).run()
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: store)
        #expect(files.filter { $0.hasSuffix(".h5") }.count == 2, "the two finished sets are stored, the broken one is not: \(files)")
        #expect(!files.contains { $0.contains(".tmp-") }, "no temporary file is left behind")
    }

    @Test("component metrics take a second pass, served by the feature store, at each score's best-F1 threshold")
    func components() throws {
        let fixture = try TrainingFixture()
        let loaded = try fixture.evalRecipe("  components: {min_predicted_size: 4, min_instance_size: 2}")
        let report = try Evaluator(try loaded.compiled(fixture.registry),
                                   options: .init(storeDirectory: fixture.folder.path + "/store", progress: .none)).run()
        #expect(report.backbonePasses == 3 && report.storeHits == 3, "the second pass reads the maps the first one stored")
        for row in report.rows {
            let c = try #require(row.components)
            #expect((0...1).contains(c.meanF1), "\(row.dataset) \(row.method): \(c)")
            #expect(c.groundTruthComponents > 0, "\(row.dataset) \(row.method): \(c)")
        }
        #expect(report.markdown.contains("Component level"))
    }
}
