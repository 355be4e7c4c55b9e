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
