import DUQ
import DenseHybrid
import MetaOoD
import OoDKit
import PEBAL
import PostHoc
import RPL

/// The plugins the `pixelood` executable bundles (`Sources/pixelood/BundledPlugins.swift`,
/// which a test cannot import), so tests see the shipped recipes as users do.
let shippedPlugins: [any Plugin.Type] = [
    RPLPlugin.self, PostHocPlugin.self, MetaOoDPlugin.self, PEBALPlugin.self, DUQPlugin.self, DenseHybridPlugin.self,
]
