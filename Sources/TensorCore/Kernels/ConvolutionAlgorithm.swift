import Foundation

/// How the forward pass computes dense convolutions: `im2col` (the default: im2col and sgemm
/// for every convolution, the algorithm every recorded result used) or `winograd` (opt-in;
/// ``Winograd`` F(4×4, 3×3) for the stride-1 3×3 ones where its fixed rule,
/// ``Winograd/pays(for:)``, says it is faster, kernel taps that only read padding left out,
/// ``DeadTaps``, and im2col and sgemm for the rest). The process's choice comes from
/// `PIXELOOD_CONV`; a task can run under another with ``using(_:_:)``. The two round
/// differently (Winograd within the bound ``WinogradTests`` checks), so trained numbers move
/// by rounding between them: `winograd` becomes the default when the results tables are made
/// again with it. A backward pass uses the algorithm its forward pass ran under (under
/// `winograd`: the input and weight gradients of the 3×3 convolutions where Winograd pays,
/// dead taps cut).
public enum ConvolutionAlgorithm: String, CaseIterable, Sendable {
    /// im2col and sgemm (1×1 convolutions: sgemm alone) for every convolution, the default.
    case im2col
    /// Winograd F(4×4, 3×3) for the dense stride-1 3×3 convolutions and both their gradients
    /// where it pays, dead kernel taps left out; the rest as `im2col`.
    case winograd

    /// The environment variable that chooses it.
    public static let variable = "PIXELOOD_CONV"

    /// The algorithm `environment[PIXELOOD_CONV]` names, `im2col` when unset.
    /// - Throws: ``ConvolutionAlgorithmError`` naming the value and the choices.
    public static func chosen(environment: [String: String]) throws -> ConvolutionAlgorithm {
        guard let text = environment[variable] else { return .im2col }
        guard let algorithm = ConvolutionAlgorithm(rawValue: text) else { throw ConvolutionAlgorithmError(value: text) }
        return algorithm
    }

    /// The process's choice, read once (an unknown value falls back to the default here;
    /// `pixelood` refuses it before any work).
    static let process = (try? chosen(environment: ProcessInfo.processInfo.environment)) ?? .im2col

    /// The algorithm this task's convolutions use: the process's choice outside ``using(_:_:)``.
    @TaskLocal public static var current: ConvolutionAlgorithm = process

    /// Runs `body` with its convolutions (on the calling task) computed by `algorithm`.
    /// - Returns: what `body` returns.
    public static func using<R>(_ algorithm: ConvolutionAlgorithm, _ body: () throws -> R) rethrows -> R {
        try $current.withValue(algorithm, operation: body)
    }
}

/// `PIXELOOD_CONV` names no algorithm.
public struct ConvolutionAlgorithmError: Error, CustomStringConvertible {
    /// The value `PIXELOOD_CONV` held.
    public let value: String
    /// The value and the choices.
    public var description: String {
        "\(ConvolutionAlgorithm.variable) '\(value)' is not a convolution algorithm (choices: "
            + ConvolutionAlgorithm.allCases.map(\.rawValue).joined(separator: ", ") + ")"
    }
}
