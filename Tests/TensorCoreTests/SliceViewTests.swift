import Testing
import TensorCore

@Suite("Slices along the first axis are views")
struct SliceViewTests {
    /// `f` of a fresh first-axis slice of `parent`, the slice's storage handed over (no other reference).
    static func onFreshRows(_ parent: Tensor, _ f: (consuming Tensor) -> Tensor) -> Tensor {
        GradMode.noGrad { f(parent.slice(axis: 0, start: 1, end: 3)) }
    }

    @Test("a first-axis slice reads its rows; an elementwise op handed the slice alone never writes into the tensor it views; other slices copy; gradients are the rows'")
    func viewsNeverWrite() throws {
        let parent = Tensor(shape: [3, 2, 2], (0..<12).map { Float($0) - 6 })
        let rows = parent.slice(axis: 0, start: 1, end: 3)
        #expect(rows.shape == [2, 2, 2] && rows.scalars == Array(parent.scalars[4...]))
        let relu = Self.onFreshRows(parent) { $0.relu() }
        #expect(relu.scalars == parent.scalars[4...].map { max(0, $0) })
        #expect(parent.scalars == (0..<12).map { Float($0) - 6 }, "the viewed tensor is unchanged")
        #expect(parent.slice(axis: 1, start: 1, end: 2).scalars == [-4, -3, 0, 1, 4, 5], "a slice of another axis")

        let leaf = parent.requiringGrad()
        (leaf.slice(axis: 0, start: 2, end: 3) * 3).sum().backward()
        #expect(leaf.grad?.scalars == [Float](repeating: 0, count: 8) + [3, 3, 3, 3])
    }
}
