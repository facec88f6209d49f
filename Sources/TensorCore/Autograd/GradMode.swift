/// Whether ops record an autograd tape in the current task.
///
/// A `@TaskLocal` value, not a process-wide flag: frozen parts of a model run inside
/// `GradMode.noGrad { ... }` and record nothing, while other tasks keep recording.
/// PyTorch: `torch.no_grad()`.
public enum GradMode {
    @TaskLocal public static var isEnabled = true

    /// Runs `body` without recording gradients. PyTorch: `with torch.no_grad():`.
    public static func noGrad<R>(_ body: () throws -> R) rethrows -> R {
        try $isEnabled.withValue(false, operation: body)
    }

    /// Runs `body` with recording enabled, even inside a `noGrad` scope.
    public static func enableGrad<R>(_ body: () throws -> R) rethrows -> R {
        try $isEnabled.withValue(true, operation: body)
    }
}
