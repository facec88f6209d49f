import Testing
import TensorCore

@Suite("Threads the kernels split work across")
struct ParallelWorkersTests {
    @Test("PIXELOOD_THREADS sets them when it is a positive integer; otherwise the cores (at least one)")
    func fromEnvironment() {
        #expect(ParallelWorkers.count(environment: [:], cores: 8) == 8)
        #expect(ParallelWorkers.count(environment: ["PIXELOOD_THREADS": "3"], cores: 8) == 3)
        for ignored in ["0", "-2", "two", ""] {
            #expect(ParallelWorkers.count(environment: ["PIXELOOD_THREADS": ignored], cores: 8) == 8, "\(ignored)")
        }
        #expect(ParallelWorkers.count(environment: [:], cores: 0) == 1)
    }
}
