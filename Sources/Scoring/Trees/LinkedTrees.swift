import ModelFormat

/// Trees of any depth with explicit child links: the layout for ensembles too deep for
/// `PerfectTrees` (whose size doubles with every level). Nodes are placed breadth-first.
struct LinkedTrees: Sendable {
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

    let roots: [Int32]
    let depths: [Int32]
    let nodes: [PackedNode]
    let base: Float

    init(_ ensemble: TreeEnsemble) {
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
                    nodes[slot] = PackedNode(
                        feature: 0, left: Int32(slot) - 1, threshold: .nan, leafValue: node.leafValue,
                        missingGoesLeft: false)
                    continue
                }
                let children = nodes.count
                nodes.append(empty)
                nodes.append(empty)
                nodes[slot] = PackedNode(
                    feature: node.feature, left: Int32(children), threshold: node.threshold, leafValue: 0,
                    missingGoesLeft: node.missingGoesLeft)
                queue.append((Int(node.left), children, level + 1))
                queue.append((Int(node.right), children + 1, level + 1))
            }
            depths.append(depth)
        }
        self.roots = roots
        self.depths = depths
        self.nodes = nodes
        base = ensemble.baseMargin
    }

    /// Adds every tree's leaf, in tree order and in float32 as XGBoost does, to `margins`, which
    /// holds one value per row (row-major `values`, `width` per row).
    func margins(_ values: UnsafePointer<Float>, rows: Int, width: Int, into margins: UnsafeMutablePointer<Float>) {
        roots.withUnsafeBufferPointer { roots in
            depths.withUnsafeBufferPointer { depths in
                nodes.withUnsafeBufferPointer { nodes in
                    // Eight trees walk up to four rows in lockstep: up to 32 independent chains of node
                    // loads, which the CPU overlaps instead of waiting on one chain at a time.
                    // A single row gains nothing from row lanes and pays their bookkeeping: use them for batches only.
                    let treeLanes = 8, rowLanes = rows >= 4 ? 4 : 1
                    let position = UnsafeMutablePointer<Int>.allocate(capacity: treeLanes * rowLanes)
                    defer { position.deallocate() }
                    let tree = nodes.baseAddress!
                    var row = 0
                    while row < rows {
                        let activeRows = min(rowLanes, rows - row)
                        for r in 0..<activeRows { margins[row + r] = base }
                        var blockHasMissing = false
                        for index in (row * width)..<((row + activeRows) * width) where values[index].isNaN {
                            blockHasMissing = true
                            break
                        }
                        var first = 0
                        while first < roots.count {
                            let activeTrees = min(treeLanes, roots.count - first)
                            var depth = 0
                            for lane in 0..<activeTrees { depth = max(depth, Int(depths[first + lane])) }
                            for r in 0..<activeRows {
                                for lane in 0..<activeTrees {
                                    position[r * treeLanes + lane] = Int(roots[first + lane])
                                }
                            }
                            // Every (row, tree) lane takes one step per level; `step` gives a node's next position.
                            @inline(__always) func walk(_ step: (PackedNode, UnsafePointer<Float>) -> Int) {
                                for _ in 0..<depth {
                                    for r in 0..<activeRows {
                                        let x = values + (row + r) * width
                                        for lane in 0..<activeTrees {
                                            let slot = r * treeLanes + lane
                                            position[slot] = step(tree[position[slot]], x)
                                        }
                                    }
                                }
                            }
                            if blockHasMissing {
                                walk { node, x in
                                    let v = x[Int(node.featureAndMissing & Int32.max)]
                                    // NaN fails `<`, so it goes right unless the node sends missing values left.
                                    // Bitwise, not `||`: a short-circuit branch would be mispredicted half the time.
                                    let less = (v < node.threshold ? 1 : 0) as Int
                                    let missingLeft =
                                        (v != v ? 1 : 0) & Int(UInt32(bitPattern: node.featureAndMissing) >> 31)
                                    return Int(node.left) + 1 - (less | missingLeft)
                                }
                            } else {
                                // No missing value in these rows: the step is one compare (the common case).
                                walk { node, x in
                                    Int(node.left)
                                        + (x[Int(node.featureAndMissing & Int32.max)] < node.threshold ? 0 : 1)
                                }
                            }
                            for r in 0..<activeRows {
                                for lane in 0..<activeTrees {
                                    margins[row + r] += tree[position[r * treeLanes + lane]].leafValue
                                }
                            }
                            first += activeTrees
                        }
                        row += activeRows
                    }
                }
            }
        }
    }
}
