import Foundation

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

        public init(
            feature: Int32, threshold: Float, left: Int32, right: Int32, missingGoesLeft: Bool, leafValue: Float
        ) {
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
