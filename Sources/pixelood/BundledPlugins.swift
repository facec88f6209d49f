import OoDKit

/// The plugins the `pixelood` executable ships, in registration order: the one line a new
/// method adds. (The method plugins arrive with their issues.)
let bundledPlugins: [any Plugin.Type] = []
