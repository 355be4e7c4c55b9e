import Foundation
import ModelFormat

/// A member model laid out for fast evaluation: every tree's nodes in contiguous arrays (absolute
/// child indices), evaluated row by row without allocation. Needs no XGBoost.
public struct CompiledMember: Sendable {
    /// Children of a split are adjacent (right = left + 1), so the next node is
    /// `left + (goLeft ? 0 : 1)` without a branch. A leaf's step always lands on itself (see the
    /// leaf layout below), so walking past it stays on it: every row of a tree takes exactly
    /// `depth` steps, which lets several rows walk in lockstep and overlap their memory loads.
    /// 16 bytes, four to a cache line.
    struct PackedNode: Sendable {
        /// Feature index in the low 31 bits; the sign bit set when a missing value goes left.
        var featureAndMissing: Int32
        var left: Int32
        var threshold: Float
        var leafValue: Float

        init(feature: Int32, left: Int32, threshold: Float, leafValue: Float, missingGoesLeft: Bool) {
            featureAndMissing = missingGoesLeft ? feature | Int32.min : feature
            self.left = left
            self.threshold = threshold
            self.leafValue = leafValue
        }
    }

    enum Kind: Sendable {
        case trees(roots: [Int32], depths: [Int32], nodes: [PackedNode], base: Float)
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
            var roots: [Int32] = [], depths: [Int32] = [], nodes: [PackedNode] = []
            let empty = PackedNode(feature: 0, left: 0, threshold: 0, leafValue: 0, missingGoesLeft: true)
            for tree in ensemble.trees {
                // Breadth-first, placing both children of a split next to each other.
                let root = nodes.count
                roots.append(Int32(root))
                nodes.append(empty)
                var queue: [(source: Int, slot: Int, depth: Int32)] = [(0, root, 0)]
                var head = 0, depth: Int32 = 0
                while head < queue.count {
                    let (source, slot, level) = queue[head]
                    head += 1
                    depth = max(depth, level)
                    let node = tree[source]
                    if node.isLeaf {
                        // Threshold NaN: `v < NaN` is false for every v (±∞ and NaN included), so the
                        // walk always takes left + 1, which is the leaf itself.
                        nodes[slot] = PackedNode(feature: 0, left: Int32(slot) - 1, threshold: .nan, leafValue: node.leafValue, missingGoesLeft: false)
                        continue
                    }
                    let children = nodes.count
                    nodes.append(empty)
                    nodes.append(empty)
                    nodes[slot] = PackedNode(feature: node.feature, left: Int32(children), threshold: node.threshold, leafValue: 0,
                                             missingGoesLeft: node.missingGoesLeft)
                    queue.append((Int(node.left), children, level + 1))
                    queue.append((Int(node.right), children + 1, level + 1))
                }
                depths.append(depth)
            }
            kind = .trees(roots: roots, depths: depths, nodes: nodes, base: ensemble.baseMargin)
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
        case let .trees(roots, depths, nodes, base):
            let width = featureCount
            roots.withUnsafeBufferPointer { roots in
            depths.withUnsafeBufferPointer { depths in
            nodes.withUnsafeBufferPointer { nodes in
                // Eight trees walk up to four rows in lockstep: up to 32 independent chains of node
                // loads, which the CPU overlaps instead of waiting on one chain at a time.
                // A single row gains nothing from row lanes and pays their bookkeeping: use them for batches only.
                let treeLanes = 8, rowLanes = rows >= 4 ? 4 : 1
                let position = UnsafeMutablePointer<Int>.allocate(capacity: treeLanes * rowLanes)
                let margins = UnsafeMutablePointer<Float>.allocate(capacity: rowLanes)
                defer { position.deallocate(); margins.deallocate() }
                let tree = nodes.baseAddress!
                var row = 0
                while row < rows {
                    let activeRows = min(rowLanes, rows - row)
                    for r in 0..<activeRows { margins[r] = base }
                    var blockHasMissing = false
                    for index in (row * width)..<((row + activeRows) * width) where values[index].isNaN { blockHasMissing = true; break }
                    var first = 0
                    while first < roots.count {
                        let activeTrees = min(treeLanes, roots.count - first)
                        var depth = 0
                        for lane in 0..<activeTrees { depth = max(depth, Int(depths[first + lane])) }
                        for r in 0..<activeRows {
                            for lane in 0..<activeTrees { position[r * treeLanes + lane] = Int(roots[first + lane]) }
                        }
                        if blockHasMissing {
                            for _ in 0..<depth {
                                for r in 0..<activeRows {
                                    let x = values.baseAddress! + (row + r) * width
                                    for lane in 0..<activeTrees {
                                        let slot = r * treeLanes + lane
                                        let node = tree[position[slot]]
                                        let v = x[Int(node.featureAndMissing & Int32.max)]
                                        // NaN fails `<`, so it goes right unless the node sends missing values left.
                                        // Bitwise, not `||`: a short-circuit branch would be mispredicted half the time.
                                        let less = (v < node.threshold ? 1 : 0) as Int
                                        let missingLeft = (v != v ? 1 : 0) & Int(UInt32(bitPattern: node.featureAndMissing) >> 31)
                                        position[slot] = Int(node.left) + 1 - (less | missingLeft)
                                    }
                                }
                            }
                        } else {
                            // No missing value in these rows: the step is one compare (the common case).
                            for _ in 0..<depth {
                                for r in 0..<activeRows {
                                    let x = values.baseAddress! + (row + r) * width
                                    for lane in 0..<activeTrees {
                                        let slot = r * treeLanes + lane
                                        let node = tree[position[slot]]
                                        let v = x[Int(node.featureAndMissing & Int32.max)]
                                        position[slot] = Int(node.left) + (v < node.threshold ? 0 : 1)
                                    }
                                }
                            }
                        }
                        // Summed in float32, in tree order, as XGBoost sums its margins.
                        for r in 0..<activeRows {
                            for lane in 0..<activeTrees { margins[r] += tree[position[r * treeLanes + lane]].leafValue }
                        }
                        first += activeTrees
                    }
                    for r in 0..<activeRows { output[row + r] = 1 / (1 + exp(-Double(margins[r]))) }
                    row += activeRows
                }
            }}}
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
