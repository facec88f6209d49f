// The one module a plugin author imports: the plugin contracts, registry and recipes
// (OoDKit), segmenters and their outputs (ModelZoo), modules and checkpoints (NeuralNet),
// images and the synthetic world (SceneData) and the tensor engine (TensorCore).
// `import PixelOoDKit` and one `.product(name: "PixelOoDKit", package: "PixelOoD")`
// dependency (docs/writing-a-plugin.md).
@_exported import ModelZoo
@_exported import NeuralNet
@_exported import OoDKit
@_exported import SceneData
@_exported import TensorCore
