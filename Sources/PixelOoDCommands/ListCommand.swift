import ArgumentParser
import OoDKit

/// `pixelood list`: every registered name with its one-line summary.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every registered backbone, segmenter, head, score, loss, dataset, optimizer and schedule.",
        discussion: "Each name is what a recipe's `type:` says. Keys of each entry: docs/recipes.md.")

    @Argument(help: "Only this kind (backbone, segmenter, head, score, loss, dataset, optimizer, schedule).")
    var kind: String?

    func run() throws {
        let listing = CommandContext.registry.listing
        if let kind, !listing.contains(where: { $0.kind == kind }) {
            throw ValidationError("unknown kind '\(kind)' (known: \(listing.map(\.kind).joined(separator: ", ")))")
        }
        for (catalogKind, entries) in listing where kind == nil || kind == catalogKind {
            print("\(catalogKind)\(catalogKind.hasSuffix("s") ? "es" : "s"):")
            if entries.isEmpty { print("  (none registered)") }
            let width = entries.map(\.name.count).max() ?? 0
            for entry in entries {
                print("  " + entry.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + entry.summary)
            }
        }
    }
}
