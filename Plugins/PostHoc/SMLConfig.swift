import OoDKit

/// `{type: sml, boundary_suppression: true, boundary_width: 4, boundary_iterations: 4,
/// dilated_smoothing: true, smoothing_kernel: 7, smoothing_dilation: 6, smoothing_sigma: 1.0}`:
/// the defaults are the SML paper's (and its code's) Cityscapes settings.
public struct SMLConfig: RecipeConfig {
    /// Replace standardized max logits on class boundaries by their non-boundary neighbours.
    public var boundarySuppression: Bool
    /// The width the boundary is expanded to in the first iteration, shrinking by
    /// `boundary_width / boundary_iterations` per iteration to 0.
    public var boundaryWidth: Int
    /// Suppression iterations.
    public var boundaryIterations: Int
    /// Smooth with a dilated Gaussian afterwards.
    public var dilatedSmoothing: Bool
    /// The Gaussian's size (odd).
    public var smoothingKernel: Int
    /// Its dilation.
    public var smoothingDilation: Int
    /// Its standard deviation in (undilated) kernel cells.
    public var smoothingSigma: Float

    enum CodingKeys: String, CodingKey {
        case boundarySuppression = "boundary_suppression", boundaryWidth = "boundary_width"
        case boundaryIterations = "boundary_iterations", dilatedSmoothing = "dilated_smoothing"
        case smoothingKernel = "smoothing_kernel", smoothingDilation = "smoothing_dilation", smoothingSigma = "smoothing_sigma"
    }

    /// The SML paper's settings unless given.
    public init(boundarySuppression: Bool = true, boundaryWidth: Int = 4, boundaryIterations: Int = 4, dilatedSmoothing: Bool = true,
                smoothingKernel: Int = 7, smoothingDilation: Int = 6, smoothingSigma: Float = 1) {
        (self.boundarySuppression, self.boundaryWidth, self.boundaryIterations) = (boundarySuppression, boundaryWidth, boundaryIterations)
        (self.dilatedSmoothing, self.smoothingKernel) = (dilatedSmoothing, smoothingKernel)
        (self.smoothingDilation, self.smoothingSigma) = (smoothingDilation, smoothingSigma)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SMLConfig()
        self.init(boundarySuppression: try c.value(.boundarySuppression, default: d.boundarySuppression),
                  boundaryWidth: try c.value(.boundaryWidth, default: d.boundaryWidth),
                  boundaryIterations: try c.value(.boundaryIterations, default: d.boundaryIterations),
                  dilatedSmoothing: try c.value(.dilatedSmoothing, default: d.dilatedSmoothing),
                  smoothingKernel: try c.value(.smoothingKernel, default: d.smoothingKernel),
                  smoothingDilation: try c.value(.smoothingDilation, default: d.smoothingDilation),
                  smoothingSigma: try c.value(.smoothingSigma, default: d.smoothingSigma))
    }

    public func validate() throws {
        guard (0...32).contains(boundaryWidth) else { throw ConfigError(key: "boundary_width", "must be 0 to 32, got \(boundaryWidth)") }
        guard (1...32).contains(boundaryIterations) else {
            throw ConfigError(key: "boundary_iterations", "must be 1 to 32, got \(boundaryIterations)")
        }
        guard boundaryWidth % boundaryIterations == 0 else {
            throw ConfigError(key: "boundary_width", "must be a multiple of boundary_iterations (\(boundaryIterations)), got \(boundaryWidth)")
        }
        guard smoothingKernel > 0, smoothingKernel % 2 == 1, smoothingKernel <= 31 else {
            throw ConfigError(key: "smoothing_kernel", "must be odd, 1 to 31, got \(smoothingKernel)")
        }
        guard (1...64).contains(smoothingDilation) else {
            throw ConfigError(key: "smoothing_dilation", "must be 1 to 64, got \(smoothingDilation)")
        }
        guard smoothingSigma > 0 else { throw ConfigError(key: "smoothing_sigma", "must be positive, got \(smoothingSigma)") }
    }

    /// The post-processing these settings describe.
    var postProcessing: SMLPostProcessing {
        SMLPostProcessing(boundaryWidth: boundarySuppression ? boundaryWidth : nil, iterations: boundaryIterations,
                          smoothing: dilatedSmoothing ? (smoothingKernel, smoothingDilation, smoothingSigma) : nil)
    }
}
