import NeuralNet
import OoDKit
import TensorCore

/// What `inspect --against RECIPE` reports: whether each part of the recipe's model would
/// load a checkpoint strictly, and every key that would be refused.
enum LoadCheck {
    /// One line per part (the segmenter under `segmenter.`, each head under `head.`) and one
    /// for roots no part reads; `loads` is false when a strict load would fail.
    static func report(_ state: StateDict, file: String, recipe compiled: CompiledRun) throws -> (lines: [String], loads: Bool) {
        let recipe = compiled.recipe
        let model = try compiled.model()
        var parts: [(root: String, label: String, module: Module)] = [("segmenter", recipe.segmenter.label, model.segmenter)]
        for node in recipe.stages.compactMap(\.head) + (recipe.eval?.heads ?? []) {
            parts.append(("head", node.label, try model.head(node)))
        }
        var lines: [String] = [], loads = true
        for (root, label, module) in parts {
            let scoped = state.scoped(root)
            if root == "head", scoped.keys.isEmpty {
                lines.append("  head. (\(label)): no head. keys (the recipe trains it)")
                continue
            }
            do {
                try module.load(scoped, strict: true, source: file)
                lines.append("  \(root). (\(label)): all \(module.stateDict().count) keys load")
            } catch let error as StateDictError {
                loads = false
                lines.append("  \(root). (\(label)): a strict load fails: \(error.description)")
            }
        }
        let read = Set(parts.map(\.root))
        let others = state.roots.filter { !read.contains($0) }
        if !others.isEmpty {
            loads = false
            lines.append("  keys under " + others.map { $0 + "." }.joined(separator: ", ") + " are read by no part of this recipe")
        }
        return (lines, loads)
    }
}
