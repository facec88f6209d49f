#!/usr/bin/env python3
"""The layering check CI runs: every `import` of every target of Package.swift must be a
dependency the target declares, and every declared or imported module must sit in a lower
layer than the target, in the order of docs/architecture.md's "Layers" table (plugins never
import each other). `swift build --explicit-target-dependency-import-check` cannot fail on a
module reachable through another dependency; this can.

    scripts/check-layering.py              check the checkout (exit 1 on a violation)
    scripts/check-layering.py --self-test  plant violations in a copy of the checkout's
                                           data and check that each is caught
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Modules of the toolchain and the platform, importable by any target.
SYSTEM = {"Foundation", "FoundationEssentials", "Dispatch", "Synchronization", "Testing", "XCTest", "Glibc", "Musl",
          "Darwin", "os", "Observation", "_Concurrency", "RegexBuilder", "PackageDescription"}
IMPORT = re.compile(r"^\s*(?:@\w+\s+)*(?:(?:public|package|internal|private|fileprivate)\s+)?import\s+"
                    r"(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_]\w*)", re.M)


def calls(text, kinds):
    """(kind, body) of every `.kind(...)` call in text, parentheses balanced."""
    for match in re.finditer(r"\.(%s)\(" % "|".join(kinds), text):
        depth, i = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        yield match.group(1), text[match.end():i - 1]


def targets(package):
    """{name: (kind, declared dependencies, folder)} from Package.swift's text."""
    found = {}
    for kind, body in calls(package, ["target", "executableTarget", "testTarget", "systemLibrary"]):
        name = re.search(r'name:\s*"([^"]+)"', body).group(1)
        deps = set()
        listed = re.search(r"dependencies:\s*\[", body)
        if listed:
            depth, i = 1, listed.end()
            while depth:
                depth += {"[": 1, "]": -1}.get(body[i], 0)
                i += 1
            items = body[listed.end():i - 1]
            for _, product in calls(items, ["product"]):
                deps.add(re.search(r'name:\s*"([^"]+)"', product).group(1))
            deps |= set(re.findall(r'"([^"]+)"', re.sub(r"\.product\([^)]*\)", "", items)))
        path = re.search(r'path:\s*"([^"]+)"', body)
        folder = path.group(1) if path else ("Tests/" if kind == "testTarget" else "Sources/") + name
        found[name] = (kind, deps, folder)
    return found


def layers(architecture):
    """{target: layer index} from the `| layer | targets |` rows of the "Layers" section."""
    section = architecture.split("## Layers", 1)[1].split("\n## ", 1)[0]
    order = {}
    for row in re.findall(r"^\|\s*(\d+)\s*\|([^|]+)\|", section, re.M):
        for name in re.findall(r"`([^`]+)`", row[1]):
            order[name] = int(row[0])
    return order


def violations(package, architecture, sources):
    """Every violation, as text. `sources`: {target: [(file, text)]}."""
    declared, order, found = targets(package), layers(architecture), []
    for name, (kind, deps, _) in sorted(declared.items()):
        if kind != "testTarget" and name != "PixelOoDTestSupport":
            if name not in order:
                found.append(f"{name}: not in the Layers table of docs/architecture.md")
                continue
            for dep in sorted(deps):
                if dep in order and order[dep] >= order[name]:
                    found.append(f"{name} (layer {order[name]}) depends on {dep} (layer {order[dep]}): only lower layers")
        for file, text in sources.get(name, []):
            for module in sorted(set(IMPORT.findall(text))):
                if module in SYSTEM or module == name:
                    continue
                if module not in deps:
                    found.append(f"{file}: imports {module}, which {name} does not declare in Package.swift")
                elif kind != "testTarget" and name in order and module in order and order[module] >= order[name]:
                    found.append(f"{file}: {name} (layer {order[name]}) imports {module} (layer {order[module]})")
    return found


def checkout():
    package = (ROOT / "Package.swift").read_text()
    sources = {name: [(str(f.relative_to(ROOT)), f.read_text()) for f in sorted((ROOT / folder).rglob("*.swift"))]
               for name, (_, _, folder) in targets(package).items() if (ROOT / folder).is_dir()}
    return package, (ROOT / "docs/architecture.md").read_text(), sources


def self_test():
    package, architecture, sources = checkout()
    assert violations(package, architecture, sources) == [], "the checkout itself must be clean for the self-test"
    planted = {
        "an undeclared import reachable through a dependency":
            (package, architecture, {**sources, "DenseHybrid": sources["DenseHybrid"] + [("Plugins/DenseHybrid/Planted.swift", "import SceneData\n")]}),
        "a plugin importing another plugin":
            (package.replace('dependencies: ["OoDKit", "ModelZoo", "NeuralNet", "TensorCore"], path: "Plugins/DenseHybrid"',
                             'dependencies: ["OoDKit", "ModelZoo", "NeuralNet", "TensorCore", "RPL"], path: "Plugins/DenseHybrid"'),
             architecture, {**sources, "DenseHybrid": sources["DenseHybrid"] + [("Plugins/DenseHybrid/Planted.swift", "@testable import RPL\n")]}),
        "a lower layer importing a higher one":
            (package.replace('.target(name: "ModelZoo", dependencies: ["NeuralNet", "TensorCore"])',
                             '.target(name: "ModelZoo", dependencies: ["NeuralNet", "TensorCore", "OoDKit"])'),
             architecture, {**sources, "ModelZoo": sources["ModelZoo"] + [("Sources/ModelZoo/Planted.swift", "import OoDKit\n")]}),
        "a target missing from the Layers table":
            (package, architecture.replace("`DenseHybrid`", "`DenseHybrid_`"), sources),
    }
    for what, case in planted.items():
        caught = violations(*case)
        assert caught, f"not caught: {what}"
        print(f"caught {what}: {caught[0]}")
    print("check-layering self-test: every planted violation caught")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        sys.exit(0)
    problems = violations(*checkout())
    for problem in problems:
        print("layering: " + problem, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"layering: {len(targets(checkout()[0]))} targets, every import declared and below its layer")
