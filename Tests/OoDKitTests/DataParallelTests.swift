import Foundation
import Testing
import NeuralNet
import OoDKit
import SceneData
import TensorCore
import PixelOoDTestSupport

/// The pieces of a data-parallel step, each against one process on the whole batch.
@Suite("Data-parallel pieces: synchronised batch norm, dropout positions, batch shards, mask normalizers")
struct DataParallelTests {
    /// A `[4, 3, 5, 6]` batch and an upstream gradient of the same shape.
    static func batch(seed: UInt64) -> (x: Tensor, g: Tensor) {
        var rng = SeededGenerator(seed: seed)
        let count = 4 * 3 * 5 * 6
        let x = Tensor(shape: [4, 3, 5, 6], (0..<count).map { _ in rng.nextUniform() * 4 - 1 })
        let g = Tensor(shape: [4, 3, 5, 6], (0..<count).map { _ in rng.nextUniform() - 0.5 })
        return (x, g)
    }

    static func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * (1 + abs($1)) }
    }

    @Test("batch norm synchronised over 2 ranks × 2 images equals one process on 4: output, input gradient, summed weight and bias gradients, running statistics")
    func synchronisedBatchNorm() throws {
        let (x, g) = Self.batch(seed: 3)
        @Sendable func run(_ input: Tensor, _ upstream: Tensor, reducer: (any StatisticsReducer)?) -> [[Float]] {
            let norm = BatchNorm2d(features: 3)
            norm.weight.assign(Tensor(shape: [3], [1.5, 0.5, -1]))
            norm.bias.assign(Tensor(shape: [3], [0.1, -0.2, 0.3]))
            norm.synchronizer = reducer
            let leaf = input.requiringGrad()
            let y = norm(leaf)
            (y * upstream).sum().backward()
            return [y.scalars, leaf.grad?.scalars ?? [], norm.weight.grad?.scalars ?? [], norm.bias.grad?.scalars ?? [],
                    norm.runningMean.value.scalars, norm.runningVar.value.scalars]
        }
        let whole = run(x, g, reducer: nil)
        let ranks = try ThreadGroup.run(ranks: 2) { group in
            let rows = (group.rank * 2)..<(group.rank * 2 + 2)
            return run(x.slice(axis: 0, start: rows.lowerBound, end: rows.upperBound),
                       g.slice(axis: 0, start: rows.lowerBound, end: rows.upperBound), reducer: group)
        }
        #expect(Self.close(ranks[0][0] + ranks[1][0], whole[0]), "outputs")
        #expect(Self.close(ranks[0][1] + ranks[1][1], whole[1]), "input gradients")
        #expect(Self.close(zip(ranks[0][2], ranks[1][2]).map { $0 + $1 }, whole[2]), "weight gradients, summed over the ranks")
        #expect(Self.close(zip(ranks[0][3], ranks[1][3]).map { $0 + $1 }, whole[3]), "bias gradients, summed over the ranks")
        #expect(ranks[0][4] == ranks[1][4] && Self.close(ranks[0][4], whole[4]) && Self.close(ranks[0][5], whole[5]), "running statistics")
        let unsynchronised = try ThreadGroup.run(ranks: 2) { group in
            run(x.slice(axis: 0, start: group.rank * 2, end: group.rank * 2 + 2), g.slice(axis: 0, start: group.rank * 2, end: group.rank * 2 + 2),
                reducer: nil)
        }
        #expect(!Self.close(unsynchronised[0][0] + unsynchronised[1][0], whole[0], 1e-3), "per-rank statistics normalise differently")
    }

    @Test("dropout given its batch positions draws the whole batch's masks and keeps its rows, crops and context images alike")
    func dropoutPositions() {
        let ones = Tensor.ones([4, 2, 3, 3])
        var whole = SeededGenerator(seed: 9)
        let all = ones.dropout(p: 0.5, training: true, using: &whole).scalars
        let plane = 2 * 3 * 3
        for kept in [[2, 3], [0, 1], [1, 3]] {
            var rng = SeededGenerator(seed: 9)
            let part = Tensor.ones([2, 2, 3, 3]).dropout(p: 0.5, training: true, using: &rng, positions: BatchPositions(whole: 4, kept: kept))
            #expect(part.scalars == kept.flatMap { all[($0 * plane)..<(($0 + 1) * plane)] }, "rows \(kept)")
        }
    }

    @Test("a batch split into shards: images, labels, flags and context in order; masks divide by the whole batch's count; uneven splits refused")
    func shardsAndNormalizers() throws {
        let labels = IndexTensor(shape: [4, 1, 3], [0, 254, 255, 254, 254, 1, 2, 3, 4, 255, 254, 0])
        let images = Tensor(shape: [4, 3, 1, 3], (0..<36).map(Float.init))
        let batch = TrainingBatch(images: images, labels: labels, pasted: [true, true, false, true], contextImages: images * 2,
                                  contextLabels: labels, indices: [7, 8, 9, 10], seed: 42)
        let second = try batch.shard(1, of: 2, ranks: SingleProcess())
        #expect(second.images.scalars == Array(images.scalars[18...]) && second.labels.values == Array(labels.values[6...]))
        #expect(second.pasted == [false, true] && second.indices == [9, 10] && second.seed == 42 && second.imageShare == 0.5)
        #expect(second.contextImages?.scalars == Array((images * 2).scalars[18...]) && second.shard?.images == 2..<4)
        let outliers = PixelMask.outliers(second), whole = PixelMask.outliers(batch)
        #expect(outliers.count == 1 && outliers.normalizer == 4 && whole.count == 4 && whole.normalizer == 4)
        let map = Tensor(shape: [4, 1, 3], (0..<12).map(Float.init))
        let shares = try (0..<2).map { part -> Float in
            let share = try batch.shard(part, of: 2, ranks: SingleProcess())
            return PixelMask.outliers(share).mean(map.slice(axis: 0, start: part * 2, end: part * 2 + 2)).item
        }
        #expect(abs(shares.reduce(0, +) - whole.mean(map).item) < 1e-6)
        let pastedInliers = PixelMask.inliers(second, inImagesPasted: true)
        #expect(pastedInliers.count == 1 && pastedInliers.normalizer == 3, "inliers of pasted images: one in image 3 here, one each in images 0, 1, 3 in all")
        #expect(throws: BatchShardError.self) { try batch.shard(0, of: 3, ranks: SingleProcess()) }
    }

    @Test("the core loss terms' shares on 2 ranks add up to their value on the whole batch, gradients alike",
          arguments: ["cross_entropy", "energy_hinge", "outlier_entropy"])
    func coreTermsSplit(_ name: String) throws {
        let terms: [String: any LossTerm] = ["cross_entropy": CrossEntropyLoss(numClasses: 5), "energy_hinge": EnergyHingeLoss(logits: .segmenter),
                                             "outlier_entropy": OutlierEntropyLoss(logits: .segmenter)]
        let term = try #require(terms[name])
        #expect(term.splitsOverShards)
        let (batch, segmenter, head) = LossShares.randomInputs(seed: 4)
        let shares = try LossShares(term, batch: batch, segmenterLogits: segmenter, headLogits: head, ranks: 2)
        #expect(abs(shares.summed - shares.whole) <= 1e-5 * (1 + abs(shares.whole)), "\(shares.summed) against \(shares.whole)")
        for (shared, whole) in zip(shares.sharedGradients, shares.wholeGradients) { expectClose(shared, whole, tolerance: 1e-5, name) }
    }
}
