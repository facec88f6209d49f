import Foundation

/// How the forward pass computes dense stride-1 3×3 convolutions, chosen once per process
/// from `PIXELOOD_CONV`: `im2col` (the default; im2col and sgemm, as every other
/// convolution) or `winograd` (``Winograd``, F(2×2, 3×3), opt-in: it rounds differently,
/// so every trained number moves within the bound ``WinogradTests`` checks, and its benefit
/// per layer is measured in `docs/benchmarks.md` before it becomes a default). Backward
/// passes use im2col either way.
public enum ConvolutionAlgorithm: String, CaseIterable, Sendable {
    /// im2col and sgemm (1×1 convolutions: sgemm alone), the default.
    case im2col
    /// Winograd F(2×2, 3×3) for dense stride-1 3×3 convolutions; the rest as `im2col`.
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

/// The process's choice, read once (an unknown value falls back to im2col here; `pixelood`
/// refuses it before any work).
let convolutionAlgorithm = (try? ConvolutionAlgorithm.chosen(environment: ProcessInfo.processInfo.environment)) ?? .im2col
