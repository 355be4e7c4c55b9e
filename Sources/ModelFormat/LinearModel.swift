import Foundation

/// p = σ(intercept + Σ weight_j·x_j), on raw inputs (any standardisation folded in). A missing
/// (NaN) input is replaced by `missingValues[j]`: the value at which that feature contributes what
/// XGBoost gives a missing one (nothing, before the standardisation was folded in).
public struct LinearModel: Sendable, Equatable {
    public var weights: [Double]
    public var intercept: Double
    public var missingValues: [Double]

    public init(weights: [Double], intercept: Double, missingValues: [Double]? = nil) {
        self.weights = weights
        self.intercept = intercept
        self.missingValues = missingValues ?? Array(repeating: 0, count: weights.count)
    }
}
