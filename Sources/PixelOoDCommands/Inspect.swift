import ArgumentParser
import Foundation
import HDF5Store
import TensorCore

/// `pixelood inspect ckpt.h5`: what a checkpoint holds — keys, shapes, dtypes, parameter
/// counts per top-level module, and the recorded attributes (toolkit version, recipe).
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a checkpoint's tensors, parameter counts and recorded recipe.")

    @Argument(help: "An HDF5 checkpoint (PixelOoD's, or one made by scripts/convert_checkpoint.py).")
    var checkpoint: String

    @Option(help: "Show only keys starting with this prefix (e.g. segmenter.aspp).")
    var prefix = ""

    @Flag(help: "Print the summary only, not one line per tensor.")
    var summary = false

    func run() throws {
        let file = try H5File.open(checkpoint)  // errors name the file and what is wrong with it
        let state = try StateDict.load(from: checkpoint)
        let entries = state.entries.filter { $0.key.hasPrefix(prefix) }
        if !summary {
            let width = min(80, entries.map(\.key.count).max() ?? 0)
            for entry in entries {
                let shape = "[" + entry.tensor.shape.map(String.init).joined(separator: ", ") + "]"
                print(entry.key.padding(toLength: max(width, entry.key.count), withPad: " ", startingAt: 0)
                      + "  " + shape.padding(toLength: 22, withPad: " ", startingAt: 0) + "  " + entry.dtype.rawValue)
            }
            print("")
        }
        // Counts per top-level module, in first-appearance order (never dictionary order).
        var order: [String] = [], counts: [String: (tensors: Int, elements: Int)] = [:]
        for entry in entries where entry.dtype == .float32 {
            let root = String(entry.key.split(separator: ".").first ?? "")
            if counts[root] == nil { order.append(root) }
            counts[root, default: (0, 0)].tensors += 1
            counts[root, default: (0, 0)].elements += entry.tensor.count
        }
        print("\(entries.count) tensors, \(entries.filter { $0.dtype == .float32 }.reduce(0) { $0 + $1.tensor.count }) float elements")
        for root in order {
            let c = counts[root]!
            print("  \(root): \(c.tensors) tensors, \(String(format: "%.2f", Double(c.elements) / 1e6)) M elements")
        }
        for name in ["format_version", "toolkit_version", "source", "recipe"] {
            guard let value = try file.attribute(name) else { continue }
            switch value {
            case .string(let text) where name == "recipe": print("recipe:\n" + text)
            case .string(let text): print("\(name): \(text)")
            case .int(let v): print("\(name): \(v)")
            case .double(let v): print("\(name): \(v)")
            }
        }
    }
}
