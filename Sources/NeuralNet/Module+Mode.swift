extension Module {
    /// Puts this module and every descendant in training mode. PyTorch: `Module.train()`.
    @discardableResult
    public func train(_ on: Bool = true) -> Self {
        for (_, module) in namedModules() { module.isTraining = on }
        return self
    }

    /// Puts this module and every descendant in evaluation mode (BatchNorm uses its running
    /// statistics, dropout is the identity). PyTorch: `Module.eval()`.
    @discardableResult
    public func eval() -> Self { train(false) }

    /// Stops gradients for every parameter whose key starts with `prefix` (all when empty):
    /// ops on them then record no tape. Modes are left alone; call ``eval()`` too for a
    /// fully frozen part (BatchNorm in eval mode, as RPL's frozen segmenter).
    /// PyTorch: `p.requires_grad_(False)` over `named_parameters()`.
    @discardableResult
    public func freeze(prefix: String = "") -> Self {
        setRequiresGrad(false, prefix: prefix)
        return self
    }

    /// Re-enables gradients for parameters whose key starts with `prefix`.
    @discardableResult
    public func unfreeze(prefix: String = "") -> Self {
        setRequiresGrad(true, prefix: prefix)
        return self
    }

    private func setRequiresGrad(_ on: Bool, prefix: String) {
        for (key, parameter) in namedParameters() where key.hasPrefix(prefix) { parameter.requiresGrad = on }
    }

    /// A PyTorch-like tree of the module, one line per module with its arguments.
    /// PyTorch: `print(model)`.
    public var summary: String {
        summaryLines(name: nil, depth: 0).joined(separator: "\n")
    }

    private func summaryLines(name: String?, depth: Int) -> [String] {
        let indent = String(repeating: "  ", count: depth)
        let head = indent + (name.map { "(\($0)): " } ?? "") + typeName
        let kids = children
        if kids.isEmpty { return [head + "(\(extraDescription))"] }
        return [head + "("] + kids.flatMap { $0.module.summaryLines(name: $0.name, depth: depth + 1) } + [indent + ")"]
    }
}
