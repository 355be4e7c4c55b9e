import Foundation
import ModelFormat

/// A member model laid out for fast evaluation: every tree's nodes in contiguous arrays (absolute
/// child indices), evaluated row by row without allocation. Needs no XGBoost.
public struct CompiledMember: Sendable {
    enum Kind: Sendable {
        case trees(roots: [Int32], feature: [Int32], threshold: [Float], left: [Int32], right: [Int32],
                   missingLeft: [Bool], value: [Float], base: Float)
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
            var roots: [Int32] = [], feature: [Int32] = [], threshold: [Float] = [], left: [Int32] = [], right: [Int32] = []
            var missingLeft: [Bool] = [], value: [Float] = []
            for tree in ensemble.trees {
                let offset = Int32(feature.count)
                roots.append(offset)
                for node in tree {
                    feature.append(node.feature)
                    threshold.append(node.threshold)
                    left.append(node.isLeaf ? -1 : node.left + offset)
                    right.append(node.isLeaf ? -1 : node.right + offset)
                    missingLeft.append(node.missingGoesLeft)
                    value.append(node.leafValue)
                }
            }
            kind = .trees(roots: roots, feature: feature, threshold: threshold, left: left, right: right,
                          missingLeft: missingLeft, value: value, base: ensemble.baseMargin)
        }
    }

    /// Class-1 probabilities for `rows` rows of `featureCount` values each (row-major, float32 as
    /// XGBoost and ONNX see them; NaN = missing).
    public func probabilities(_ values: UnsafeBufferPointer<Float>, rows: Int, into output: UnsafeMutableBufferPointer<Double>) {
        precondition(values.count >= rows * featureCount && output.count >= rows, "buffer too small")
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
        case let .trees(roots, feature, threshold, left, right, missingLeft, value, base):
            feature.withUnsafeBufferPointer { feature in
            threshold.withUnsafeBufferPointer { threshold in
            left.withUnsafeBufferPointer { left in
            right.withUnsafeBufferPointer { right in
            missingLeft.withUnsafeBufferPointer { missingLeft in
            value.withUnsafeBufferPointer { value in
                for row in 0..<rows {
                    let x = values.baseAddress! + row * featureCount
                    // Summed in float32, tree by tree, as XGBoost sums its margins.
                    var margin = base
                    for root in roots {
                        var node = Int(root)
                        while left[node] >= 0 {
                            let v = x[Int(feature[node])]
                            let goLeft = v.isNaN ? missingLeft[node] : v < threshold[node]
                            node = Int(goLeft ? left[node] : right[node])
                        }
                        margin += value[node]
                    }
                    output[row] = 1 / (1 + exp(-Double(margin)))
                }
            }}}}}}
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
