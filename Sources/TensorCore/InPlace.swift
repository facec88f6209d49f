/// Reuse of an input's storage for the output of an elementwise op, when that is
/// unobservable: no autograd tape records the op (so no backward rule needs the input)
/// and the caller handed over the only reference to the storage (a temporary, or a value
/// passed with `consume`). The ops take that operand `consuming`, so Swift copies — and
/// the storage stays shared, and the op out of place — whenever the caller still uses it.
///
/// PyTorch has explicit in-place ops (`relu_`, `inplace=True`); here the engine decides,
/// so the API stays value-semantic.
enum InPlace {
    /// Whether `tensor`'s storage may be overwritten by an op that records nothing.
    @inline(__always)
    static func isReusable(_ tensor: inout Tensor) -> Bool {
        !(GradMode.isEnabled && tensor.requiresGrad) && tensor.storage.base == nil && isKnownUniquelyReferenced(&tensor.storage)
    }
}

extension Tensor {
    /// `f` applied to every element, in this tensor's storage when ``InPlace`` allows,
    /// otherwise into a new one; `record` attaches the backward rule in the latter case.
    consuming func mapReusing<F: UnaryFunctor>(_ f: F, record: (Tensor, Tensor) -> Tensor) -> Tensor {
        var input = consume self
        if InPlace.isReusable(&input) {
            Elementwise.map(input.storage.pointer, input.storage.pointer, count: input.count, f)
            input.node = nil
            return input
        }
        return record(input, input.mapKernel(f))
    }
}
