import Foundation
import HDF5Store
import NeuralNet
import OoDKit
import TensorCore

/// Mutated copies of checkpoint and feature-store files through the readers: every case must
/// load the original contents exactly or fail with an error; a crash ends the run, and a
/// load of changed contents is counted as a silent load (the failure this guards against).
struct CheckpointFuzzer {
    /// The mutations, one per case.
    enum Kind: String, CaseIterable {
        case bitFlips = "bit flips", truncation, zeroedRange = "zeroed ranges", duplicatedRange = "duplicated ranges"
    }

    /// What a run found, per target file.
    struct Summary: CustomStringConvertible {
        var cases = 0, noOps = 0, unchanged = 0, rejected = 0, silentLoads = 0
        var byKind: [String: Int] = [:]
        var examples: [String] = []

        var description: String {
            let kinds = byKind.keys.sorted().map { "\($0) \(byKind[$0] ?? 0)" }.joined(separator: ", ")
            return "\(cases) cases (\(kinds)): \(noOps) left the bytes as they were, \(rejected) rejected with an error, "
                + "\(unchanged) changed files loaded the original contents, "
                + "\(silentLoads) silent loads of changed data"
                + examples.prefix(5).map { "\n  silent load: " + $0 }.joined()
        }
    }

    /// A file to mutate and how to read it back in full.
    struct Target {
        let name: String
        let bytes: [UInt8]
        /// Reads the file at a path into comparable contents.
        let read: (String) throws -> [String: [Float]]
    }

    /// Mutates `bytes` by one randomly chosen kind.
    static func mutate(_ bytes: [UInt8], using rng: inout SeededGenerator) -> ([UInt8], Kind) {
        let kind = Kind.allCases[rng.int(0...(Kind.allCases.count - 1))]
        var out = bytes
        guard !out.isEmpty else { return (out, kind) }
        func range() -> Range<Int> {
            let start = rng.int(0...(out.count - 1))
            return start..<min(out.count, start + rng.int(1...256))
        }
        switch kind {
        case .bitFlips:
            for _ in 0..<rng.int(1...4) {
                let i = rng.int(0...(out.count - 1))
                out[i] ^= UInt8(1 << rng.int(0...7))
            }
        case .truncation: out = Array(out.prefix(rng.int(0...(out.count - 1))))
        case .zeroedRange:
            for i in range() { out[i] = 0 }
        case .duplicatedRange:
            let r = range()
            let at = rng.int(0...(out.count - 1))
            out.replaceSubrange(at..<min(out.count, at + r.count), with: out[r])
        }
        return (out, kind)
    }

    /// Runs `cases` mutations of `target`.
    static func run(_ target: Target, cases: Int, seed: UInt64, folder: String) throws -> Summary {
        let original = try {
            let path = folder + "/original-" + target.name
            try Data(target.bytes).write(to: URL(fileURLWithPath: path))
            return try target.read(path)
        }()
        var summary = Summary()
        var rng = SeededGenerator(seed: seed)
        let path = folder + "/mutated-" + target.name
        for index in 0..<cases {
            let (bytes, kind) = mutate(target.bytes, using: &rng)
            summary.byKind[kind.rawValue, default: 0] += 1
            summary.cases += 1
            if bytes == target.bytes { summary.noOps += 1; continue }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            guard let contents = try? target.read(path) else { summary.rejected += 1; continue }
            if contents == original {
                summary.unchanged += 1
            } else {
                summary.silentLoads += 1
                let changed = original.keys.sorted().first { contents[$0] != original[$0] } ?? "(keys)"
                summary.examples.append("case \(index) (\(kind.rawValue)): \(changed)")
            }
        }
        return summary
    }

    /// Every tensor of a checkpoint, and its metadata, as comparable contents.
    static func readCheckpoint(_ path: String) throws -> [String: [Float]] {
        let checkpoint = try Checkpoint.load(from: path)
        var contents: [String: [Float]] = [:]
        for (group, state) in [("model", checkpoint.model), ("optimizer", checkpoint.optimizer), ("trainer", checkpoint.trainer)] {
            for entry in state.entries { contents[group + "/" + entry.key] = entry.tensor.scalars + entry.tensor.shape.map(Float.init) }
        }
        let m = checkpoint.metadata
        contents["metadata"] = [Float(m.step), Float(m.epoch), Float(m.seed % 1_000_003), Float(m.recipe.utf8.count)]
            + m.recipe.utf8.map(Float.init) + m.toolkitVersion.utf8.map(Float.init)
        return contents
    }
}
