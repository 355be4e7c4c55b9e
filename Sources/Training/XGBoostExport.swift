import Foundation
import ModelFormat
import TrainingRecords

/// Reads a booster's JSON document (XGBoost 1.7 schema) into a `MemberModel`, the form the model
/// format writes as ONNX and the scoring code evaluates without XGBoost.
public enum XGBoostExport {
    public static func member(fromJSON json: [UInt8], standardisation: Standardisation? = nil) throws -> MemberModel {
        guard let document = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
            let learner = document["learner"] as? [String: Any],
            let parameters = learner["learner_model_param"] as? [String: Any],
            let booster = learner["gradient_booster"] as? [String: Any],
            let name = booster["name"] as? String
        else {
            throw XGBoostError(message: "not an XGBoost model document")
        }
        let objective = (learner["objective"] as? [String: Any])?["name"] as? String
        guard objective == "binary:logistic" else {
            throw XGBoostError(message: "only binary:logistic models can be exported (got \(objective ?? "none"))")
        }
        guard let featureText = parameters["num_feature"] as? String, let featureCount = Int(featureText),
            let baseText = parameters["base_score"] as? String, let baseScore = Double(baseText)
        else {
            throw XGBoostError(message: "model parameters lack num_feature or base_score")
        }
        // binary:logistic keeps base_score as a probability; the margin starts at its logit.
        let baseMargin = log(baseScore / (1 - baseScore))
        switch name {
        case "gbtree":
            guard let model = booster["model"] as? [String: Any], let trees = model["trees"] as? [[String: Any]] else {
                throw XGBoostError(message: "gbtree model without trees")
            }
            return .trees(
                TreeEnsemble(featureCount: featureCount, baseMargin: Float(baseMargin), trees: try trees.map(tree)))
        case "gblinear":
            guard let model = booster["model"] as? [String: Any],
                let weights = (model["weights"] as? [Any])?.compactMap(number),
                weights.count == featureCount + 1
            else {
                throw XGBoostError(message: "gblinear model without \(featureCount + 1) weights")
            }
            var coefficients = Array(weights.prefix(featureCount))
            var intercept = weights[featureCount] + baseMargin
            // Fold the training standardisation in: w·(x − μ)/σ = (w/σ)·x − w·μ/σ.
            if let standardisation {
                for index in coefficients.indices {
                    coefficients[index] /= standardisation.scale[index]
                    intercept -= coefficients[index] * standardisation.mean[index]
                }
            }
            return .linear(
                LinearModel(weights: coefficients, intercept: intercept, missingValues: standardisation?.mean))
        default:
            throw XGBoostError(message: "booster '\(name)' cannot be exported")
        }
    }

    static func number(_ value: Any) -> Double? {
        if let number = value as? NSNumber { return number.doubleValue }
        if let text = value as? String { return Double(text) }
        return nil
    }

    /// In the JSON, a node is a leaf when its left child is −1, and a leaf's value sits in
    /// `split_conditions` (learning rate already applied).
    static func tree(_ tree: [String: Any]) throws -> [TreeEnsemble.Node] {
        func ints(_ key: String) throws -> [Int] {
            guard let values = tree[key] as? [Any] else { throw XGBoostError(message: "tree without \(key)") }
            return values.compactMap { number($0).map { Int($0) } }
        }
        func doubles(_ key: String) throws -> [Double] {
            guard let values = tree[key] as? [Any] else { throw XGBoostError(message: "tree without \(key)") }
            return values.compactMap(number)
        }
        let left = try ints("left_children"), right = try ints("right_children"), features = try ints("split_indices")
        let conditions = try doubles("split_conditions"), defaultLeft = try ints("default_left")
        if let types = tree["split_type"] as? [Any], types.contains(where: { number($0) != 0 }) {
            throw XGBoostError(message: "categorical splits cannot be exported")
        }
        let count = left.count
        guard [right.count, features.count, conditions.count, defaultLeft.count].allSatisfy({ $0 == count }), count > 0
        else {
            throw XGBoostError(message: "tree arrays differ in length")
        }
        return (0..<count).map { index in
            let isLeaf = left[index] < 0
            return TreeEnsemble.Node(
                feature: isLeaf ? 0 : Int32(features[index]), threshold: isLeaf ? 0 : Float(conditions[index]),
                left: Int32(left[index]), right: Int32(right[index]), missingGoesLeft: defaultLeft[index] != 0,
                leafValue: isLeaf ? Float(conditions[index]) : 0)
        }
    }
}
