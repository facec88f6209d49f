/// Why a recipe cannot be used, located compiler-style:
/// `rpl.yaml:12:9: error: head.type: unknown head 'rlp' (known: …; did you mean 'rpl'?)`,
/// followed by the line and a caret.
public struct RecipeError: Error, CustomStringConvertible, Equatable {
    /// Where the offending value (or key) is written.
    public var location: RecipeLocation
    /// The dotted path of the value (`stages.0.optimizer.lr`); empty for the document.
    public var keyPath: String
    /// What is wrong.
    public var message: String

    /// An error at `location`.
    public init(_ location: RecipeLocation, keyPath: String, _ message: String) {
        (self.location, self.keyPath, self.message) = (location, keyPath, message)
    }

    /// The first line alone: `file:line:column: error: key.path: message`.
    public var headline: String {
        "\(location): error: \(keyPath.isEmpty ? "" : keyPath + ": ")\(message)"
    }

    public var description: String {
        location.lineText.isEmpty ? headline : headline + "\n" + location.snippet
    }
}

/// A value that decoded but is out of range, thrown by ``RecipeConfig/validate()``; the
/// catalog turns it into a ``RecipeError`` at the key's location.
public struct ConfigError: Error, CustomStringConvertible {
    /// The key of the config at fault (relative to the config's node), or nil for the node.
    public var key: String?
    /// What is wrong.
    public var message: String

    /// An error about `key`.
    public init(key: String?, _ message: String) { (self.key, self.message) = (key, message) }

    public var description: String { (key.map { $0 + ": " } ?? "") + message }
}

/// A recipe section's configuration: decoded strictly from the recipe (unknown keys are
/// errors), then validated.
public protocol RecipeConfig: Decodable, Sendable {
    /// Checks ranges after decoding (the `ParsableArguments.validate()` pattern).
    /// - Throws: ``ConfigError`` naming the key.
    func validate() throws
}

extension RecipeConfig {
    /// Accepts every decoded value.
    public func validate() throws {}
}

/// A closed set of recipe words (`output_stride: 8 | 16`), listed in errors.
public protocol RecipeChoice {
    /// The accepted spellings.
    static var choices: [String] { get }
}

extension RecipeChoice where Self: CaseIterable & RawRepresentable {
    public static var choices: [String] { allCases.map { "\($0.rawValue)" } }
}
