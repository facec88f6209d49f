import OoDKit
import DUQ
import DenseHybrid
import MetaOoD
import PEBAL
import PostHoc
import RPL

/// The plugins the `pixelood` executable ships, in registration order: the one line a new
/// bundled method adds. A package with its own method ships its own CLI with
/// `PixelOoD.main(plugins: bundledPlugins + [MyMethodPlugin.self])` (`Examples/CustomHead`).
public let bundledPlugins: [any Plugin.Type] = [
    RPLPlugin.self, PostHocPlugin.self, MetaOoDPlugin.self, PEBALPlugin.self, DUQPlugin.self, DenseHybridPlugin.self,
]
