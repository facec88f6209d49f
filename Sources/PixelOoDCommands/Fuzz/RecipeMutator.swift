import TensorCore

/// Mutations of recipe text for `pixelood fuzz recipes`: byte flips, truncation, type
/// swaps, deep nesting, huge numbers, and spliced or deleted lines. Deterministic in the
/// generator.
struct RecipeMutator {
    /// The kinds of mutation, one chosen per case.
    enum Kind: String, CaseIterable {
        case byteFlip = "byte flips", truncation, typeSwap = "type swaps", deepNesting = "deep nesting"
        case hugeNumber = "huge numbers", lineSplice = "line splices"
    }

    /// Mutates `text` by one randomly chosen kind; returns the bytes and the kind.
    static func mutate(_ text: String, using rng: inout SeededGenerator) -> (bytes: [UInt8], kind: Kind) {
        let kind = Kind.allCases[rng.int(0...(Kind.allCases.count - 1))]
        var bytes = Array(text.utf8)
        switch kind {
        case .byteFlip:
            for _ in 0..<rng.int(1...8) where !bytes.isEmpty {
                let i = rng.int(0...(bytes.count - 1))
                bytes[i] ^= UInt8(truncatingIfNeeded: 1 << rng.int(0...7))
            }
        case .truncation:
            bytes = Array(bytes.prefix(rng.int(0...bytes.count)))
        case .typeSwap:
            bytes = Array(replacingValue(text, using: &rng, with: ["{}", "[]", "[1, 2]", "{type: x}", "\"text\"", "yes", "~",
                                                                   "-3", "0", "1.5", "[[]]", "{a: {b: c}}", "!!binary AA=="]).utf8)
        case .deepNesting:
            let depth = [10, 200, 999, 1001, 5000, 50_000][rng.int(0...5)]
            let nested = rng.chance(0.5) ? String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
                : String(repeating: "{a: ", count: depth) + "1" + String(repeating: "}", count: depth)
            bytes = Array(replacingValue(text, using: &rng, with: [nested]).utf8)
        case .hugeNumber:
            bytes = Array(replacingValue(text, using: &rng, with: ["1e400", "-1e400", "99999999999999999999999", "-9223372036854775809",
                                                                   "9223372036854775807", "3.4e39", "1e-400", ".nan", ".inf",
                                                                   "0x7fffffff", "1_000", "2147483648", "-0"]).utf8)
        case .lineSplice:
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard !lines.isEmpty else { break }
            let i = rng.int(0...(lines.count - 1)), j = rng.int(0...(lines.count - 1))
            switch rng.int(0...2) {
            case 0: lines.remove(at: i)
            case 1: lines.insert(lines[j], at: i)
            default: lines[i] = String(repeating: " ", count: rng.int(0...6)) + lines[i]
            }
            bytes = Array(lines.joined(separator: "\n").utf8)
        }
        return (bytes, kind)
    }

    /// `text` with the value after one randomly chosen `key:` replaced by one of `choices`.
    private static func replacingValue(_ text: String, using rng: inout SeededGenerator, with choices: [String]) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let candidates = lines.indices.filter { lines[$0].contains(": ") && !lines[$0].trimmingPrefix(" ").hasPrefix("#") }
        guard !candidates.isEmpty else { return text }
        let i = candidates[rng.int(0...(candidates.count - 1))]
        let line = lines[i]
        let colons = line.indices.filter { line[$0] == ":" && line.index(after: $0) < line.endIndex && line[line.index(after: $0)] == " " }
        let cut = colons[rng.int(0...(colons.count - 1))]
        lines[i] = String(line[...cut]) + " " + choices[rng.int(0...(choices.count - 1))]
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func trimmingPrefix(_ character: Character) -> Substring { drop { $0 == character } }
}
