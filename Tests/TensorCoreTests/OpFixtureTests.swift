import Testing
import TensorCore
import PixelOoDTestSupport

/// One op of `scripts/fixtures/ops.py`, rebuilt from the same inputs: float inputs in the
/// script's order, integer inputs by name.
typealias OpUnderTest = @Sendable (_ inputs: [Tensor], _ indices: [String: IndexTensor]) -> Tensor

/// Every case of `Tests/Fixtures/ops.h5`, written the way PixelOoD users write them.
let opsUnderTest: [String: OpUnderTest] = [
    "add": { x, _ in x[0] + x[1] },
    "sub": { x, _ in x[0] - x[1] },
    "mul": { x, _ in x[0] * x[1] },
    "div": { x, _ in x[0] / x[1] },
    "pow_tensor": { x, _ in x[0].pow(x[1]) },
    "affine": { x, _ in x[0] * 1.5 + 0.25 },
    "exp": { x, _ in x[0].exp() },
    "log": { x, _ in x[0].log() },
    "sqrt": { x, _ in x[0].sqrt() },
    "pow_scalar": { x, _ in x[0].pow(2.5) },
    "abs": { x, _ in x[0].abs() },
    "clamp": { x, _ in x[0].clamp(min: -0.5, max: 0.7) },
    "relu": { x, _ in x[0].relu() },
    "relu6": { x, _ in x[0].relu6() },
    "leaky_relu": { x, _ in x[0].leakyRelu(slope: 0.1) },
    "sigmoid": { x, _ in x[0].sigmoid() },
    "tanh": { x, _ in x[0].tanh() },
    "matmul": { x, _ in x[0].matmul(x[1]) },
    "matmul_batched": { x, _ in x[0].matmul(x[1]) },
    "matmul_shared": { x, _ in x[0].matmul(x[1]) },
    "sum_axis": { x, _ in x[0].sum(axis: 1) },
    "sum_keepdim": { x, _ in x[0].sum(axes: [0, 2], keepDims: true) },
    "mean_axes": { x, _ in x[0].mean(axes: [0, 2]) },
    "mean_all": { x, _ in x[0].mean() },
    "max_axis": { x, _ in x[0].max(axis: 1) },
    "min_axis": { x, _ in x[0].min(axis: 2, keepDims: true) },
    "logsumexp": { x, _ in x[0].logsumexp(axis: 1) },
    "softmax": { x, _ in x[0].softmax(axis: 1) },
    "log_softmax": { x, _ in x[0].logSoftmax(axis: 1) },
    "cross_entropy": { x, i in x[0].crossEntropy(target: i["target"]!, ignoreIndex: 255) },
    "cross_entropy_weighted": { x, i in
        x[0].crossEntropy(target: i["target"]!, weight: x[1].detached(), ignoreIndex: 255)
    },
    "cross_entropy_none": { x, i in x[0].crossEntropy(target: i["target"]!, ignoreIndex: 255, reduction: .none) },
    "conv3x3": { x, _ in x[0].conv2d(weight: x[1], bias: x[2], padding: (1, 1)) },
    "conv3x3_stride2": { x, _ in x[0].conv2d(weight: x[1], stride: (2, 2), padding: (1, 1)) },
    "conv3x3_dilation2": { x, _ in x[0].conv2d(weight: x[1], bias: x[2], padding: (2, 2), dilation: (2, 2)) },
    "conv_groups2": { x, _ in x[0].conv2d(weight: x[1], bias: x[2], padding: (1, 1), groups: 2) },
    "conv_depthwise": { x, _ in x[0].conv2d(weight: x[1], bias: x[2], padding: (1, 1), groups: 4) },
    "conv_depthwise_stride2": { x, _ in x[0].conv2d(weight: x[1], stride: (2, 2), padding: (1, 1), groups: 4) },
    "conv1x1": { x, _ in x[0].conv2d(weight: x[1], bias: x[2]) },
    "conv1x1_stride2": { x, _ in x[0].conv2d(weight: x[1], stride: (2, 2)) },
    "conv7x7_stride2": { x, _ in x[0].conv2d(weight: x[1], stride: (2, 2), padding: (3, 3)) },
    "conv_rect": { x, _ in x[0].conv2d(weight: x[1], bias: x[2], stride: (1, 2), padding: (1, 0)) },
    "max_pool": { x, _ in x[0].maxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1)) },
    "max_pool_2x2": { x, _ in x[0].maxPool2d(kernel: (2, 2)) },
    "avg_pool": { x, _ in x[0].avgPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1)) },
    "avg_pool_exclude_pad": { x, _ in
        x[0].avgPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false)
    },
    "adaptive_avg_pool": { x, _ in x[0].adaptiveAvgPool2d((3, 5)) },
    "global_avg_pool": { x, _ in x[0].globalAvgPool2d() },
    "resize_up_ac": { x, _ in x[0].resizeBilinear(to: (9, 13), alignCorners: true) },
    "resize_down_ac": { x, _ in x[0].resizeBilinear(to: (4, 5), alignCorners: true) },
    "resize_up_noac": { x, _ in x[0].resizeBilinear(to: (9, 13), alignCorners: false) },
    "resize_down_noac": { x, _ in x[0].resizeBilinear(to: (4, 5), alignCorners: false) },
    "concat": { x, _ in Tensor.concat([x[0], x[1]], axis: 1) },
    "split": { x, _ in
        let parts = x[0].split(sizes: [2, 3], axis: 1)
        return parts[1] * 2 + parts[0].sum(axis: 1, keepDims: true)
    },
    "slice_step": { x, _ in x[0].slice(axis: 1, start: 1, end: 7, step: 2) },
    "reshape_permute": { x, _ in x[0].reshaped([6, 4]).transposed().reshaped([2, 2, 6]).permuted([2, 0, 1]) },
    "pad": { x, _ in x[0].padded([(0, 0), (0, 1), (1, 2)], value: 0.5) },
    "gather": { x, i in x[0].gather(axis: 1, index: i["index"]!) },
    "index_select": { x, i in x[0].indexSelect(axis: 1, indices: i["indices"]!.values.map(Int.init)) },
    "masked_select": { x, i in x[0].maskedSelect(i["mask"]!.values.map { $0 != 0 }) },
    "batch_norm_train": { x, _ in batchNormCase(x, training: true) },
    "batch_norm_eval": { x, _ in batchNormCase(x, training: false) },
]

/// Batch norm with the running statistics passed as constant inputs 3 and 4.
func batchNormCase(_ x: [Tensor], training: Bool) -> Tensor {
    x[0].batchNorm(weight: x[1], bias: x[2], runningMean: x[3].detached(), runningVar: x[4].detached(),
                   training: training).output
}

@Suite("TensorCore ops against PyTorch fixtures and finite differences")
struct OpFixtureTests {
    static let caseNames: [String] = (try? Fixture("ops.h5").file.children(of: "/")) ?? []

    @Test("the fixture file lists exactly the ops under test")
    func everyCaseIsCovered() throws {
        #expect(Set(Self.caseNames) == Set(opsUnderTest.keys))
    }

    @Test("forward and backward agree with PyTorch to 1e-4", arguments: caseNames)
    func matchesPyTorch(_ name: String) throws {
        let fixture = try Fixture("ops.h5")
        let opCase = try fixture.opCase(name)
        let op = try #require(opsUnderTest[name], "no Swift op for fixture case \(name)")
        let leaves = opCase.inputs.map { $0.tensor.requiringGrad() }
        let output = op(leaves, opCase.indices)
        expectClose(output, opCase.output, "\(name) output")
        output.backward(opCase.upstream.reshaped(output.shape))
        for (index, input) in opCase.inputs.enumerated() {
            guard let expected = opCase.gradients[input.name] else { continue }
            let actual = try #require(leaves[index].grad, "\(name): no gradient for \(input.name)")
            expectClose(actual, expected, "\(name) gradient of \(input.name)")
        }
    }

    @Test("autograd agrees with finite differences", arguments: caseNames)
    func finiteDifferences(_ name: String) throws {
        let opCase = try Fixture("ops.h5").opCase(name)
        let op = try #require(opsUnderTest[name])
        let differentiable = opCase.inputs.filter { opCase.gradients[$0.name] != nil }.map(\.name)
        let all = opCase.inputs.map(\.name)
        gradientCheck(differentiable.map { opCase.input($0) }, name) { values in
            let full = all.map { n in differentiable.firstIndex(of: n).map { values[$0] } ?? opCase.input(n) }
            return op(full, opCase.indices)
        }
    }
}
