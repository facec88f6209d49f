// Trains a three-layer conv net to segment bright squares on noise: the engine end to end
// (layers, batch norm, autograd, cross-entropy with an ignore label, Adam with a 10x head
// group, poly schedule, checkpoint save and strict reload), in a few seconds on a CPU.
//
// Run: swift run -c release tiny-segmentation [checkpoint.h5]
import Foundation
import HDF5Store
import NeuralNet
import TensorCore

/// A batch of noisy images with one bright square each; labels 1 inside, 0 outside, and a
/// 1-pixel void (255) ring around the square, as boundary pixels are in Cityscapes.
func makeBatch(size: Int, batch: Int, using rng: inout SeededGenerator) -> (Tensor, IndexTensor) {
    var pixels = [Float](repeating: 0, count: batch * 3 * size * size)
    var labels = [Int32](repeating: 0, count: batch * size * size)
    for n in 0..<batch {
        let side = 6 + Int(rng.next() % 8), top = Int(rng.next() % UInt64(size - side)), left = Int(rng.next() % UInt64(size - side))
        for y in 0..<size {
            for x in 0..<size {
                let inside = (top..<top + side).contains(y) && (left..<left + side).contains(x)
                let ring = (top - 1...top + side).contains(y) && (left - 1...left + side).contains(x) && !inside
                labels[(n * size + y) * size + x] = inside ? 1 : (ring ? 255 : 0)
                for c in 0..<3 {
                    pixels[((n * 3 + c) * size + y) * size + x] = (inside ? 0.8 : 0) + 0.5 * rng.nextNormal()
                }
            }
        }
    }
    return (Tensor(shape: [batch, 3, size, size], pixels), IndexTensor(shape: [batch, size, size], labels))
}

var rng = SeededGenerator(seed: 666)
let net = Sequential([
    Conv2d(inputChannels: 3, outputChannels: 16, kernelSize: (3, 3), padding: (1, 1), bias: false, using: &rng),
    BatchNorm2d(features: 16), ReLU(),
    Conv2d(inputChannels: 16, outputChannels: 16, kernelSize: (3, 3), padding: (2, 2), dilation: (2, 2), bias: false, using: &rng),
    BatchNorm2d(features: 16), ReLU(),
    Conv2d(inputChannels: 16, outputChannels: 2, kernelSize: (1, 1), using: &rng),
])
let body = (0..<6).flatMap { net.layers[$0].namedParameters().map(\.parameter) }
let head = net.layers[6].namedParameters().map(\.parameter)
let optimizer = Adam([ParameterGroup(body), ParameterGroup(head, lrMultiplier: 10)], learningRate: 3e-3, weightDecay: 1e-4)
let iterations = 60
let schedule = PolyLR(baseLearningRate: 3e-3, maxIterations: iterations)
print(net.summary)
print("parameters: \(net.parameterCount)")
for iteration in 0..<iterations {
    let (images, labels) = makeBatch(size: 32, batch: 8, using: &rng)
    schedule.apply(to: optimizer, iteration: iteration)
    optimizer.zeroGrad()
    let loss = net(images).crossEntropy(target: labels, ignoreIndex: 255)
    loss.backward()
    optimizer.step()
    if iteration % 10 == 0 || iteration == iterations - 1 {
        print(String(format: "iteration %3d  lr %.2e  loss %.4f", iteration, optimizer.learningRate, loss.item))
    }
}

net.eval()
let (images, labels) = makeBatch(size: 32, batch: 16, using: &rng)
let predicted = GradMode.noGrad { net(images) }.argmax(axis: 1).values
let scored = zip(predicted, labels.values).filter { $0.1 != 255 }
let accuracy = Double(scored.filter { $0.0 == $0.1 }.count) / Double(scored.count)
print(String(format: "held-out pixel accuracy: %.3f", accuracy))

let path = CommandLine.arguments.dropFirst().first ?? FileManager.default.temporaryDirectory.appendingPathComponent("tiny-segmentation.h5").path
do {
    try net.stateDict().save(to: path, attributes: [("toolkit_version", .string("example"))])
    try net.load(checkpoint: path)
    print("saved and reloaded \(net.stateDict().count) tensors: \(path)")
} catch {
    print("error: \(error)")
    exit(1)
}
