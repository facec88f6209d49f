import Foundation
import Testing
import OoDKit
import PixelOoDTestSupport

/// Writes recipe files into a fresh folder.
func recipeFolder(_ files: [String: String]) throws -> URL {
    let folder = try scratchDirectory("recipes")
    for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
    return folder
}

/// The error loading `text` (as `r.yaml`, with `overrides`) throws.
func recipeError(_ text: String, overrides: [String] = []) throws -> RecipeError {
    let folder = try recipeFolder(["r.yaml": text])
    do {
        let loaded = try RecipeLoader.load(folder.appendingPathComponent("r.yaml").path, overrides: overrides)
        try coreRegistry.segmenters.check(loaded.recipe.segmenter, registry: coreRegistry)
        for stage in loaded.recipe.stages {
            guard let training = stage.gradient else { continue }
            for loss in training.losses { try coreRegistry.losses.check(loss, registry: coreRegistry, alsoRead: ["weight"]) }
            try coreRegistry.optimizers.check(training.optimizer, registry: coreRegistry)
        }
    } catch let error as RecipeError {
        return error
    }
    throw RecipeError(RecipeLocation(file: "-", line: 0, column: 0, lineText: ""), keyPath: "", "no error for:\n\(text)")
}

let minimal = """
    segmenter: {type: deeplabv3plus, width_divisor: 64, backbone: {type: resnet50, width_divisor: 64}}
    stages:
      - name: train
        losses: [{type: cross_entropy}]
        optimizer: {type: sgd, lr: 0.01}
        iterations: 10

    """

@Suite("Recipes")
struct RecipeTests {
    @Test("defaults fill every key a recipe leaves out")
    func defaults() throws {
        let recipe = try RecipeLoader.decode(minimal, file: "r.yaml")
        #expect(recipe.seed == 666 && recipe.name == nil && recipe.data == nil && recipe.eval == nil)
        let stage = try #require(recipe.stages.first?.gradient)
        #expect(stage.trains == .segmenter && stage.checkpointEvery == 0 && stage.clipGradNorm == nil && stage.lrMultipliers.isEmpty)
        #expect(stage.frozenMode == .eval && stage.schedule == nil && stage.head == nil)
        let data = try RecipeLoader.decode(minimal + "data: {}\n", file: "r.yaml").data
        #expect(data?.cropSize == [700, 700] && data?.batchSize == 8 && data?.flip == true && data?.scaleRange == [0.5, 2.0])
    }

    @Test("base: chains merge mappings deeply and replace lists and scalars; the nearest file wins")
    func baseChain() throws {
        let folder = try recipeFolder([
            "root.yaml": "seed: 1\nsegmenter: {type: deeplabv3plus, num_classes: 19, backbone: {type: resnet50}}\ndata: {batch_size: 8, crop_size: [64, 64]}\n",
            "mid.yaml": "base: root.yaml\nseed: 2\ndata: {batch_size: 4}\n",
            "leaf.yaml": "base: mid.yaml\nsegmenter: {num_classes: 7}\ndata: {crop_size: [32, 48]}\n" + minimal.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n"),
        ])
        let loaded = try RecipeLoader.load(folder.appendingPathComponent("leaf.yaml").path)
        #expect(loaded.recipe.seed == 2)
        #expect(loaded.recipe.data?.batchSize == 4 && loaded.recipe.data?.cropSize == [32, 48])
        #expect(loaded.files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["leaf.yaml", "mid.yaml", "root.yaml"])
        let segmenter = try coreRegistry.segmenters.build(loaded.recipe.segmenter,
                                                          BuildContext(registry: coreRegistry, rng: .init(seed: 0)))
        #expect(segmenter.numClasses == 7)
        #expect(loaded.text.contains("type: resnet50"), "the resolved text keeps the base's keys")
        #expect(try RecipeLoader.decode(loaded.text, file: "resolved.yaml").seed == 2, "the resolved text reads back")
    }

    @Test("a base cycle and a missing base are errors at the base: line")
    func baseErrors() throws {
        let folder = try recipeFolder(["a.yaml": "base: b.yaml\nseed: 1\n", "b.yaml": "seed: 2\nbase: a.yaml\n",
                                       "c.yaml": "seed: 1\nbase: nowhere.yaml\n"])
        do {
            _ = try RecipeLoader.load(folder.appendingPathComponent("a.yaml").path)
            Issue.record("a cycle loaded")
        } catch let error as RecipeError {
            #expect(error.location.file.hasSuffix("b.yaml") && error.location.line == 2 && error.message.contains("cycle"))
        }
        do {
            _ = try RecipeLoader.load(folder.appendingPathComponent("c.yaml").path)
            Issue.record("a missing base loaded")
        } catch let error as RecipeError {
            #expect(error.location.line == 2 && error.location.column == 7 && error.keyPath == "base")
        }
    }

    @Test("--set replaces values by dotted path, indexes lists, creates keys, and parses YAML values")
    func overrides() throws {
        let folder = try recipeFolder(["r.yaml": minimal])
        let loaded = try RecipeLoader.load(folder.appendingPathComponent("r.yaml").path, overrides: [
            "seed=7", "stages.0.iterations=25", "data.crop_size=[16, 24]", "eval.scores=[energy, {type: entropy, normalized: true}]",
        ])
        #expect(loaded.recipe.seed == 7 && loaded.recipe.stages[0].gradient?.length == .iterations(25) && loaded.recipe.data?.cropSize == [16, 24])
        #expect(loaded.recipe.eval?.scores.count == 2)
        let entropy = try coreRegistry.scores.build(try #require(loaded.recipe.eval?.scores[1]),
                                                    BuildContext(registry: coreRegistry, rng: .init(seed: 0)))
        #expect((entropy as? EntropyScore)?.normalized == true)
    }

    @Test("each error kind names file:line:column and the key path", arguments: ErrorCase.all)
    func errors(_ c: ErrorCase) throws {
        let (text, overrides, file, line, column, keyPath, fragment) = (c.text, c.overrides, c.file, c.line, c.column, c.keyPath, c.fragment)
        let error = try recipeError(text, overrides: overrides)
        #expect(error.location.file.hasSuffix(file), "\(error)")
        #expect(error.location.line == line && error.location.column == column, "\(error)")
        #expect(error.keyPath == keyPath, "\(error)")
        #expect(error.message.contains(fragment), "\(error)")
        #expect(error.description.hasPrefix("\(error.location.file):\(line):\(column): error: "), "compiler-style: \(error)")
    }

    @Test("deep nesting, alias bombs, NUL bytes and oversized files are errors, not crashes or hangs")
    func hostileInput() throws {
        let deep = "seed: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(try recipeError(deep).message.contains("invalid YAML"))
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 { bomb += "l\(level): &l\(level) [" + Array(repeating: level == 1 ? "*a" : "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        #expect(try recipeError(bomb).message.contains("expands to more than"))
        #expect(try recipeError("seed: 1\u{0}\n").message.contains("NUL"))
        let folder = try recipeFolder(["big.yaml": String(repeating: "# padding\n", count: 120_000)])
        #expect(throws: RecipeError.self) { try RecipeLoader.load(folder.appendingPathComponent("big.yaml").path) }
    }
}

/// One malformed recipe and where its error must point.
struct ErrorCase: Sendable, CustomTestStringConvertible {
    let text: String, overrides: [String], file: String, line: Int, column: Int, keyPath: String, fragment: String

    init(_ text: String, _ overrides: [String], _ file: String, _ line: Int, _ column: Int, _ keyPath: String, _ fragment: String) {
        (self.text, self.overrides, self.file, self.line, self.column, self.keyPath, self.fragment) = (text, overrides, file, line, column, keyPath, fragment)
    }

    var testDescription: String { "\(file):\(line):\(column) \(keyPath): \(fragment)" }

    static let all: [ErrorCase] = [
        ErrorCase(minimal.replacingOccurrences(of: "lr: 0.01", with: "lr: fast"), [], "r.yaml", 5, 32, "stages.0.optimizer.lr", "expected a number, found fast"),
        ErrorCase(minimal.replacingOccurrences(of: "lr: 0.01", with: "lr: \"0.01\""), [], "r.yaml", 5, 32, "stages.0.optimizer.lr", "expected a number, found the string \"0.01\""),
        ErrorCase(minimal.replacingOccurrences(of: "lr: 0.01", with: "lr: 0.01, momentun: 0.9"), [], "r.yaml", 5, 38, "stages.0.optimizer.momentun", "unknown key 'momentun' (known: lr, momentum, nesterov, type, weight_decay; did you mean 'momentum'?)"),
        ErrorCase(minimal + "sed: 3\n", [], "r.yaml", 7, 1, "sed", "did you mean 'seed'?"),
        ErrorCase(minimal.replacingOccurrences(of: "iterations: 10", with: "iterations: 99999999999999999999999"), [], "r.yaml", 6, 17, "stages.0.iterations", "out of range"),
        ErrorCase(minimal.replacingOccurrences(of: "iterations: 10", with: "iterations: 2.5"), [], "r.yaml", 6, 17, "stages.0.iterations", "expected an integer, found 2.5"),
        ErrorCase(minimal.replacingOccurrences(of: "iterations: 10", with: "iterations: 0"), [], "r.yaml", 6, 17, "stages.0.iterations", "must be 1 to 10^8"),
        ErrorCase(minimal.replacingOccurrences(of: "    iterations: 10\n", with: ""), [], "r.yaml", 3, 5, "stages.0", "missing key 'iterations'"),
        ErrorCase(minimal.replacingOccurrences(of: "{type: resnet50,", with: "{type: resnet50, output_stride: 12,"), [], "r.yaml", 1, 95, "segmenter.backbone.output_stride", "expected one of 8, 16, found 12"),
        ErrorCase(minimal.replacingOccurrences(of: "{type: cross_entropy}", with: "{type: cross_entropi}"), [], "r.yaml", 4, 21, "stages.0.losses.0.type", "did you mean 'cross_entropy'?"),
        ErrorCase(minimal.replacingOccurrences(of: "{type: cross_entropy}", with: "{type: cross_entropy, weight: 2, margin: 1}"), [], "r.yaml", 4, 47, "stages.0.losses.0.margin", "unknown key 'margin'"),
        ErrorCase(minimal.replacingOccurrences(of: "losses: [{type: cross_entropy}]", with: "losses: {type: cross_entropy}"), [], "r.yaml", 4, 13, "stages.0.losses", "expected a list, found a mapping"),
        ErrorCase(minimal + "data: {outliers: {root: coco, camouflage: 1.5}}\n", [], "r.yaml", 7, 43, "data.outliers.camouflage", "must be a probability in [0, 1], got 1.5"),
        ErrorCase(minimal + "seed: 1\nseed: 2\n", [], "r.yaml", 8, 1, "seed", "duplicate key (first set at line 7)"),
        ErrorCase(minimal + "stages: [\n", [], "r.yaml", 8, 1, "", "invalid YAML"),
        ErrorCase(minimal, ["stages.0.optimizer.lr=fast"], "--set", 1, 23, "stages.0.optimizer.lr", "expected a number, found fast"),
        ErrorCase(minimal, ["stages.4.iterations=1"], "--set", 1, 1, "stages.4.iterations", "not an index of the list"),
        ErrorCase(minimal, ["seed"], "--set", 1, 1, "", "expected key.path=value"),
    ]
}
