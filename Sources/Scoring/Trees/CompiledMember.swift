import Foundation
import ModelFormat

/// A member model laid out for fast evaluation, evaluated without allocation per row and without
/// XGBoost. Tree ensembles take the perfect-tree layout (implicit children) unless a tree is too
/// deep for it; then the linked layout.
public struct CompiledMember: Sendable {
    enum Kind: Sendable {
        case perfectTrees(PerfectTrees)
        case linkedTrees(LinkedTrees)
        case linear(weights: [Double], intercept: Double, missing: [Double])
    }

    let kind: Kind
    public let featureCount: Int

    public init(_ member: MemberModel) {
        featureCount = member.featureCount
        switch member {
        case let .linear(model):
            kind = .linear(weights: model.weights, intercept: model.intercept, missing: model.missingValues)
        case let .trees(ensemble):
            kind = PerfectTrees(ensemble).map(Kind.perfectTrees) ?? .linkedTrees(LinkedTrees(ensemble))
        }
    }

    /// Forces the linked layout, so tests can hold both layouts to the same reference.
    init(linked ensemble: TreeEnsemble) {
        featureCount = ensemble.featureCount
        kind = .linkedTrees(LinkedTrees(ensemble))
    }

    var layoutName: String {
        switch kind {
        case .perfectTrees: "perfect"
        case .linkedTrees: "linked"
        case .linear: "linear"
        }
    }

    /// Class-1 probabilities for `rows` rows of `featureCount` values each (row-major, float32 as
    /// XGBoost and ONNX see them; NaN = missing).
    public func probabilities(
        _ values: UnsafeBufferPointer<Float>, rows: Int, into output: UnsafeMutableBufferPointer<Double>
    ) {
        precondition(values.count >= rows * featureCount && output.count >= rows, "buffer too small")
        guard rows > 0 else { return }
        switch kind {
        case let .linear(weights, intercept, missing):
            for row in 0..<rows {
                var margin = intercept
                let base = row * featureCount
                for column in 0..<featureCount {
                    let value = values[base + column]
                    margin += weights[column] * (value.isNaN ? missing[column] : Double(value))
                }
                output[row] = 1 / (1 + exp(-margin))
            }
        case let .perfectTrees(trees):
            Self.withMargins(rows: rows, into: output) {
                trees.margins(values.baseAddress!, rows: rows, width: featureCount, into: $0)
            }
        case let .linkedTrees(trees):
            Self.withMargins(rows: rows, into: output) {
                trees.margins(values.baseAddress!, rows: rows, width: featureCount, into: $0)
            }
        }
    }

    /// Float32 margins, as XGBoost sums them, turned into probabilities in double.
    private static func withMargins(
        rows: Int, into output: UnsafeMutableBufferPointer<Double>,
        _ compute: (UnsafeMutablePointer<Float>) -> Void
    ) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: rows) { margins in
            compute(margins.baseAddress!)
            for row in 0..<rows { output[row] = 1 / (1 + exp(-Double(margins[row]))) }
        }
    }

    public func probabilities(_ rows: [[Float]]) -> [Double] {
        let flat = rows.flatMap { $0 }
        var output = [Double](repeating: 0, count: rows.count)
        flat.withUnsafeBufferPointer { values in
            output.withUnsafeMutableBufferPointer { probabilities(values, rows: rows.count, into: $0) }
        }
        return output
    }
}
