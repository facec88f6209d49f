import HDF5Store

/// The PixelOoD release that writes checkpoints (root attribute `toolkit_version`).
public let toolkitVersion = "0.2.0"

/// What a checkpoint file records about where it came from, as typed root attributes:
/// `format_version`, `toolkit_version`, `recipe` (the recipe's YAML text), `seed`, `step`,
/// `epoch`.
public struct CheckpointMetadata: Sendable, Equatable {
    /// The file layout version (``CheckpointFormat/version``).
    public var formatVersion: Int64
    /// The release that wrote the file.
    public var toolkitVersion: String
    /// The recipe text the run was made from (empty when not made from a recipe).
    public var recipe: String
    /// The recipe's seed.
    public var seed: UInt64
    /// Optimizer steps taken when the file was written.
    public var step: Int
    /// Epochs completed when the file was written.
    public var epoch: Int
    /// The file a converted checkpoint came from (`scripts/convert_checkpoint.py`); empty otherwise.
    public var source: String

    /// Metadata for a checkpoint written now by this release.
    public init(recipe: String = "", seed: UInt64 = 0, step: Int = 0, epoch: Int = 0) {
        self.formatVersion = CheckpointFormat.version
        self.toolkitVersion = NeuralNet.toolkitVersion
        (self.recipe, self.seed, self.step, self.epoch) = (recipe, seed, step, epoch)
        source = ""
    }

    /// The root attributes that store this metadata.
    var attributes: [(name: String, value: H5AttributeValue)] {
        [("format_version", .int(formatVersion)), ("toolkit_version", .string(toolkitVersion)),
         ("recipe", .string(recipe)), ("seed", .int(Int64(bitPattern: seed))),
         ("step", .int(Int64(step))), ("epoch", .int(Int64(epoch)))] + (source.isEmpty ? [] : [("source", .string(source))])
    }

    /// Reads the metadata of `file`; attributes a file written elsewhere lacks take the
    /// values of an untrained model (step 0, empty recipe).
    /// - Throws: ``CheckpointError/badAttribute(path:name:expected:)`` for a present attribute
    ///   of the wrong kind, or a format version newer than this release reads.
    init(reading file: H5File) throws {
        func int(_ name: String) throws -> Int64? {
            switch try file.attribute(name) {
            case nil: return nil
            case .int(let v)?: return v
            default: throw CheckpointError.badAttribute(path: file.path, name: name, expected: "an integer")
            }
        }
        func text(_ name: String) throws -> String? {
            switch try file.attribute(name) {
            case nil: return nil
            case .string(let v)?: return v
            default: throw CheckpointError.badAttribute(path: file.path, name: name, expected: "a string")
            }
        }
        formatVersion = try int("format_version") ?? CheckpointFormat.version
        guard formatVersion <= CheckpointFormat.version else {
            throw CheckpointError.badAttribute(path: file.path, name: "format_version",
                                               expected: "at most \(CheckpointFormat.version), found \(formatVersion)")
        }
        toolkitVersion = try text("toolkit_version") ?? "unknown"
        recipe = try text("recipe") ?? ""
        source = try text("source") ?? ""
        seed = UInt64(bitPattern: try int("seed") ?? 0)
        let step = try int("step") ?? 0, epoch = try int("epoch") ?? 0
        guard step >= 0, epoch >= 0, step <= Int64(Int32.max), epoch <= Int64(Int32.max) else {
            throw CheckpointError.badAttribute(path: file.path, name: step < 0 || step > Int64(Int32.max) ? "step" : "epoch",
                                               expected: "a count from 0 to \(Int32.max)")
        }
        (self.step, self.epoch) = (Int(step), Int(epoch))
    }
}

/// A checkpoint file that cannot be used.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    /// A root attribute of the wrong kind or out of range.
    case badAttribute(path: String, name: String, expected: String)

    public var description: String {
        switch self {
        case .badAttribute(let path, let name, let expected):
            return "\(path): attribute '\(name)': expected \(expected)"
        }
    }
}
