import Foundation

/// Decodes a ``RecipeValue`` into a `Decodable` configuration, strictly:
/// - a key the configuration never asked for is an error naming it, with the nearest known
///   key suggested (Codable alone ignores unknown keys, so `lerning_rate:` would train with
///   the default);
/// - numbers must be plain scalars (`"0.5"` in quotes is a string), finite and in range;
/// - every error is a ``RecipeError`` at the value's file, line and column, with its key path.
public struct RecipeDecoder {
    /// The dotted path of the decoded value (`stages.0.head`), prefixed to every error's key path.
    public var keyPath: [String]
    /// Keys of the top mapping that the caller reads itself (a catalog's `type`).
    public var consumedKeys: Set<String>

    /// A decoder for a value at `keyPath`.
    public init(keyPath: [String] = [], consumedKeys: Set<String> = []) {
        (self.keyPath, self.consumedKeys) = (keyPath, consumedKeys)
    }

    /// Decodes `type` from `value`, then checks that every key was used.
    /// - Throws: ``RecipeError``.
    public func decode<T: Decodable>(_ type: T.Type, from value: RecipeValue) throws -> T {
        try decodeRecordingNested(type, from: value).result
    }

    /// Decodes as ``decode(_:from:)`` and returns the ``NestedNode``s met on the way.
    func decodeRecordingNested<T: Decodable>(_ type: T.Type, from value: RecipeValue) throws -> (result: T, nested: [NestedReference]) {
        let usage = KeyUsage()
        if !consumedKeys.isEmpty { usage.markUsed(keyPath, consumedKeys) }
        let result = try ValueDecoder(value: value, path: keyPath, usage: usage).decode(T.self)
        try usage.checkUnused()
        return (result, usage.nested)
    }
}

/// What one decoding met: which keys of each mapping were asked for (by the mapping's key
/// path), and the nested nodes to check.
final class KeyUsage {
    /// The ``NestedNode``s decoded, in order.
    var nested: [NestedReference] = []
    private struct Record {
        var entries: [RecipeEntry]
        var path: [String]
        var requested: Set<String> = []
    }
    private var records: [String: Record] = [:]
    private var order: [String] = []

    /// Records a mapping at `path` when a container is first made for it.
    func register(_ path: [String], _ entries: [RecipeEntry]) {
        let id = path.joined(separator: ".")
        if records[id] == nil { order.append(id) }
        records[id, default: Record(entries: entries, path: path)].entries = entries
        records[id]?.path = path
    }

    /// Marks `keys` of the mapping at `path` as read by the caller (a catalog's `type`).
    func markUsed(_ path: [String], _ keys: Set<String>) {
        let id = path.joined(separator: ".")
        if records[id] == nil { order.append(id) }
        records[id, default: Record(entries: [], path: path)].requested.formUnion(keys)
    }

    func request(_ path: [String], _ key: String) { records[path.joined(separator: ".")]?.requested.insert(key) }

    /// Throws at the first key (in document order) that nothing asked for.
    func checkUnused() throws {
        for id in order {
            guard let record = records[id] else { continue }
            for entry in record.entries where !record.requested.contains(entry.key) {
                let known = record.requested.sorted()
                var message = "unknown key '\(entry.key)'"
                message += known.isEmpty ? " (this section takes no keys)" : " (known: \(known.joined(separator: ", "))"
                if let near = nearest(entry.key, in: known) { message += "; did you mean '\(near)'?" }
                if !known.isEmpty { message += ")" }
                throw RecipeError(entry.keyLocation, keyPath: (record.path + [entry.key]).joined(separator: "."), message)
            }
        }
    }
}

/// The `Decoder` over one value.
struct ValueDecoder: Decoder {
    let value: RecipeValue
    let path: [String]
    let usage: KeyUsage
    var codingPath: [any CodingKey] { path.map { RecipeKey($0) } }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    var keyPathText: String { path.joined(separator: ".") }

    func error(_ message: String) -> RecipeError { RecipeError(value.location, keyPath: keyPathText, message) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch value {
        case .mapping(let entries, _):
            usage.register(path, entries)
            return KeyedDecodingContainer(KeyedRecipeContainer<Key>(decoder: self, entries: entries))
        case .null:
            usage.register(path, [])
            return KeyedDecodingContainer(KeyedRecipeContainer<Key>(decoder: self, entries: []))
        default: throw error("expected a mapping, found \(value.shownInErrors)")
        }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .sequence(let items, _): return UnkeyedRecipeContainer(decoder: self, items: items)
        case .null: return UnkeyedRecipeContainer(decoder: self, items: [])
        default: throw error("expected a list, found \(value.shownInErrors)")
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleRecipeContainer(decoder: self) }

    func child(_ value: RecipeValue, _ key: String) -> ValueDecoder {
        ValueDecoder(value: value, path: path + [key], usage: usage)
    }

    /// Decodes a `Decodable` (or a primitive) from this value; a ``RecipeConfig`` is
    /// validated too. A ``ConfigError`` thrown while decoding or validating is located at
    /// the key it names.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let primitive = try decodePrimitive(type) { return primitive }
        let result: T
        do {
            result = try T(from: self)
        } catch let decoding as DecodingError {
            throw convert(decoding, type: T.self)
        } catch let config as ConfigError {
            throw located(config)
        }
        if let config = result as? any RecipeConfig {
            do { try config.validate() } catch let error as ConfigError { throw located(error) }
        }
        return result
    }

    /// A ``ConfigError`` at the key it names in this mapping (or at the value itself).
    func located(_ error: ConfigError) -> RecipeError {
        let entry = error.key.flatMap { key in value.entries?.first { $0.key == key } }
        return RecipeError(entry?.value.location ?? value.location,
                           keyPath: (path + (error.key.map { [$0] } ?? [])).joined(separator: "."), error.message)
    }

    /// A located error for a `DecodingError` thrown inside `T(from:)` (a raw-value enum
    /// that rejected its value, a missing key).
    func convert<T>(_ error: DecodingError, type: T.Type) -> RecipeError {
        if let choice = T.self as? any RecipeChoice.Type {
            return self.error("expected one of \(choice.choices.joined(separator: ", ")), found \(value.shownInErrors)")
        }
        switch error {
        case .keyNotFound(let key, _): return self.error("missing key '\(key.stringValue)'")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return self.error(context.debugDescription)
        @unknown default: return self.error("\(error)")
        }
    }

    private func scalar(expected: String) throws -> (text: String, quoted: Bool) {
        guard case .scalar(let text, let quoted, _) = value else { throw error("expected \(expected), found \(value.shownInErrors)") }
        return (text, quoted)
    }

    private func number(expected: String) throws -> String {
        let (text, quoted) = try scalar(expected: expected)
        guard !quoted else { throw error("expected \(expected), found the string \(value.shownInErrors)") }
        return text
    }

    func decodeDouble() throws -> Double {
        let text = try number(expected: "a number")
        switch text {
        case ".inf", ".Inf", "+.inf": return .infinity
        case "-.inf", "-.Inf": return -.infinity
        default: break
        }
        guard let value = Double(text), !value.isNaN, text.lowercased().rangeOfCharacter(from: CharacterSet(charactersIn: "xpn")) == nil else {
            throw error("expected a number, found \(self.value.shownInErrors)")
        }
        guard value.isFinite else { throw error("the number \(self.value.shownInErrors) is out of range") }
        return value
    }

    func decodeFloat() throws -> Float {
        let double = try decodeDouble()
        guard double.isInfinite || abs(double) <= Double(Float.greatestFiniteMagnitude) else {
            throw error("the number \(value.shownInErrors) is out of range for a 32-bit float")
        }
        return Float(double)
    }

    func decodeInteger<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        let text = try number(expected: "an integer")
        if let value = I(text) { return value }
        let outOfRange = error("the integer \(value.shownInErrors) is out of range (\(I.min)…\(I.max))")
        let digits = text.drop { $0 == "-" || $0 == "+" }
        if !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) { throw outOfRange }
        // 1e3 or 1000.0: a whole number written as a float.
        if text.lowercased().rangeOfCharacter(from: CharacterSet(charactersIn: "xpn")) == nil,
           let wide = Double(text), wide.isFinite, wide.rounded() == wide {
            guard let exact = I(exactly: wide) else { throw outOfRange }
            return exact
        }
        throw error("expected an integer, found \(value.shownInErrors)")
    }

    func decodeBool() throws -> Bool {
        let text = try number(expected: "true or false")
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw error("expected true or false, found \(value.shownInErrors)")
        }
    }

    func decodeString() throws -> String { try scalar(expected: "a string").text }

    private func decodePrimitive<T>(_ type: T.Type) throws -> T? {
        switch type {
        case is String.Type: return try decodeString() as? T
        case is Bool.Type: return try decodeBool() as? T
        case is Double.Type: return try decodeDouble() as? T
        case is Float.Type: return try decodeFloat() as? T
        case is Int.Type: return try decodeInteger(Int.self) as? T
        case is Int32.Type: return try decodeInteger(Int32.self) as? T
        case is Int64.Type: return try decodeInteger(Int64.self) as? T
        case is UInt64.Type: return try decodeInteger(UInt64.self) as? T
        case is UInt32.Type: return try decodeInteger(UInt32.self) as? T
        case is UInt8.Type: return try decodeInteger(UInt8.self) as? T
        case is UInt.Type: return try decodeInteger(UInt.self) as? T
        case is RecipeNode.Type: return RecipeNode(value: value, keyPath: path) as? T
        default: return nil
        }
    }

    var isNull: Bool { if case .null = value { return true } else { return false } }
}

/// A coding key made from a recipe key or a list index.
struct RecipeKey: CodingKey {
    let stringValue: String
    var intValue: Int? { Int(stringValue) }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { stringValue = String(intValue) }
}

struct KeyedRecipeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: ValueDecoder
    let entries: [RecipeEntry]
    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { entries.compactMap { Key(stringValue: $0.key) } }

    private func entry(_ key: Key) -> RecipeEntry? {
        decoder.usage.request(decoder.path, key.stringValue)
        return entries.first { $0.key == key.stringValue }
    }

    private func required(_ key: Key) throws -> ValueDecoder {
        guard let entry = entry(key) else { throw decoder.error("missing key '\(key.stringValue)'") }
        return decoder.child(entry.value, key.stringValue)
    }

    func contains(_ key: Key) -> Bool { entry(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { entry(key).map { if case .null = $0.value { true } else { false } } ?? true }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try required(key).decode(type) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let entry = entry(key) else { return nil }
        if case .null = entry.value { return nil }
        return try decoder.child(entry.value, key.stringValue).decode(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try required(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try required(key).unkeyedContainer() }
    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { try required(key) }
}

struct UnkeyedRecipeContainer: UnkeyedDecodingContainer {
    let decoder: ValueDecoder
    let items: [RecipeValue]
    var currentIndex = 0
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(decoder: ValueDecoder, items: [RecipeValue]) { (self.decoder, self.items) = (decoder, items) }

    private mutating func next() throws -> ValueDecoder {
        guard !isAtEnd else { throw decoder.error("the list has too few items (\(items.count))") }
        defer { currentIndex += 1 }
        return decoder.child(items[currentIndex], String(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .null = items[currentIndex] else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}

struct SingleRecipeContainer: SingleValueDecodingContainer {
    let decoder: ValueDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    func decodeNil() -> Bool { decoder.isNull }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(type) }
}
