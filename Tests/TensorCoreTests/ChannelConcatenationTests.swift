import Testing
import TensorCore

@Suite("A growing channel concatenation")
struct ChannelConcatenationTests {
    @Test("each step equals concat of the pieces so far; views handed out never change, not even under an op allowed to reuse its input; no accumulation for a batch or a tape")
    func growsLikeConcat() throws {
        var rng = SeededGenerator(seed: 3)
        let pieces = [Tensor.normal([1, 3, 4, 5], using: &rng), Tensor.normal([1, 2, 4, 5], using: &rng),
                      Tensor.normal([1, 2, 4, 5], using: &rng)]
        var grown = try #require(ChannelConcatenation(pieces[0], capacity: 7))
        var views: [(Tensor, [Float])] = [(grown.tensor, pieces[0].scalars)]
        for count in 2...3 {
            grown.append(pieces[count - 1])
            let expected = Tensor.concat(Array(pieces[..<count]), axis: 1)
            #expect(grown.tensor.shape == expected.shape && grown.tensor.scalars == expected.scalars)
            views.append((grown.tensor, expected.scalars))
        }
        // A ReLU handed a view alone must not write into the buffer the later views read.
        let relu = GradMode.noGrad { views[1].0.relu() }
        #expect(relu.scalars == views[1].1.map { max(0, $0) })
        for (view, values) in views { #expect(view.scalars == values, "a view changed after later appends") }
        #expect(grown.channels == 7 && grown.capacity == 7)

        #expect(ChannelConcatenation(Tensor.zeros([2, 3, 4, 5]), capacity: 5) == nil, "a batch of two")
        #expect(ChannelConcatenation(pieces[0].requiringGrad(), capacity: 5) == nil, "a tape would record it")
        #expect(GradMode.noGrad { ChannelConcatenation(pieces[0].requiringGrad(), capacity: 5) } != nil)
    }
}
