import Foundation

/// A binary classifier as a router member holds it, independent of how it was trained: either a
/// sum of decision trees or a linear model, each followed by the logistic function.
public enum MemberModel: Sendable, Equatable {
    case trees(TreeEnsemble)
    case linear(LinearModel)

    public var featureCount: Int {
        switch self {
        case let .trees(ensemble): ensemble.featureCount
        case let .linear(model): model.weights.count
        }
    }
}

/// p = σ(base + Σ_trees leaf(x)). A split sends x left when x[feature] < threshold (both float32,
/// as XGBoost compares them), and a missing (NaN) value goes the node's default way.
public struct TreeEnsemble: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        public var feature: Int32
        public var threshold: Float
        /// Child indices within the tree; −1 for a leaf.
        public var left: Int32
        public var right: Int32
        public var missingGoesLeft: Bool
        public var leafValue: Float

        public var isLeaf: Bool { left < 0 }

        public init(feature: Int32, threshold: Float, left: Int32, right: Int32, missingGoesLeft: Bool, leafValue: Float) {
            self.feature = feature
            self.threshold = threshold
            self.left = left
            self.right = right
            self.missingGoesLeft = missingGoesLeft
            self.leafValue = leafValue
        }
    }

    public var featureCount: Int
    /// The margin every prediction starts from (XGBoost: logit of base_score).
    public var baseMargin: Float
    /// Each tree's nodes; node 0 is the root.
    public var trees: [[Node]]

    public init(featureCount: Int, baseMargin: Float, trees: [[Node]]) {
        self.featureCount = featureCount
        self.baseMargin = baseMargin
        self.trees = trees
    }
}

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
