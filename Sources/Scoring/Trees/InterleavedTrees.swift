import ModelFormat

/// The perfect-tree layout for scoring one row at a time: consecutive trees in groups of
/// `laneTrees`, walked in lockstep, so that one row has ten independent chains of loads in flight
/// instead of one (a single tree's walk is a chain: split, then key, then the next split).
///
/// Within a group, every tree is padded to the group's deepest (as `PerfectTrees` pads a leaf
/// above the bottom), and the trees are interleaved node by node: the splits of node `i` of the
/// group's trees sit side by side, at `10i + t`, likewise its leaves. A walk keeps `10i` and
/// reaches tree `t` at a constant offset, so all lanes share one base pointer and their indices
/// stay in registers.
struct InterleavedTrees: Sendable {
    struct Group: Sendable {
        /// Offset that turns `10i + t` (`i` a walk's index, heap index + 1, `PerfectSplit`; `t` a tree
        /// of the group) into an index in `splits`.
        var splitOrigin: Int
        /// Offset that turns `10i + t` for a walk's final index `i` into an index in `leaves`.
        var leafOrigin: Int
        var depth: Int
    }

    /// As many as `PerfectSplit.walk` keeps in registers.
    static let laneTrees = 10

    let groups: [Group]
    let splits: [PerfectSplit]
    let leaves: [Float]

    /// `depths`: each tree's depth, as `PerfectTrees.depth(of:)` found it.
    init(_ ensemble: TreeEnsemble, depths: [Int]) {
        let lanes = Self.laneTrees
        var groups: [Group] = [], splits: [PerfectSplit] = [], leaves: [Float] = []
        for first in stride(from: 0, to: ensemble.trees.count, by: lanes) {
            let members = first..<min(first + lanes, ensemble.trees.count)
            let depth = depths[members].max()!
            let bottom = 1 << depth
            let group = Group(
                splitOrigin: splits.count - lanes * PerfectSplit.root, leafOrigin: leaves.count - lanes * (bottom + 1),
                depth: depth)
            splits += repeatElement(.padding, count: lanes * (bottom - 1))
            // A short last group's padding lanes walk padding splits and end on these zeros.
            leaves += repeatElement(0, count: lanes * bottom)
            for (lane, tree) in zip(0..., ensemble.trees[members]) {
                PerfectTrees.place(tree, depth: depth) { slot, node in
                    splits[group.splitOrigin + lanes * (slot + 1) + lane] = PerfectSplit(node, stride: 1)
                } leaf: { slot, value in
                    leaves[group.leafOrigin + lanes * (slot + 1) + lane] = value
                }
            }
            groups.append(group)
        }
        self.groups = groups
        self.splits = splits
        self.leaves = leaves
    }

    /// `base` plus every tree's leaf, in tree order and in float32 as XGBoost does, for each row
    /// (row-major `values`, `width` per row).
    func margins(
        _ values: UnsafePointer<Float>, rows: Int, width: Int, base: Float, into margins: UnsafeMutablePointer<Float>
    ) {
        groups.withUnsafeBufferPointer { groups in
            splits.withUnsafeBufferPointer { splits in
                leaves.withUnsafeBufferPointer { leaves in
                    withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * width) { keys in
                        let splits = splits.baseAddress!, leaves = leaves.baseAddress!, keys = keys.baseAddress!
                        for row in 0..<rows {
                            FloatKey.write(values + row &* width, width: width, into: keys, stride: 1)
                            var sum = base
                            for group in groups {
                                let split = splits + group.splitOrigin, leaf = leaves + group.leafOrigin
                                // `v` is `laneTrees` × the walk's index, so that lane t reads `v + t` from the shared base.
                                @inline(__always) func step(_ v: Int, _ lane: Int) -> Int {
                                    let s = split[v &+ lane]
                                    return 2 &* v &+ s.leftMask(keys[s.keyOffset]) & -Self.laneTrees
                                }
                                let (v0, v1, v2, v3, v4, v5, v6, v7, v8, v9) = PerfectSplit.walk(
                                    from: Self.laneTrees * PerfectSplit.root, lanes: Self.laneTrees,
                                    depth: group.depth, step)
                                // Tree order. A short last group's padding lanes end on +0, which leaves any sum
                                // as it is but −0 (made +0, the same margin).
                                sum += leaf[v0]
                                sum += leaf[v1 &+ 1]
                                sum += leaf[v2 &+ 2]
                                sum += leaf[v3 &+ 3]
                                sum += leaf[v4 &+ 4]
                                sum += leaf[v5 &+ 5]
                                sum += leaf[v6 &+ 6]
                                sum += leaf[v7 &+ 7]
                                sum += leaf[v8 &+ 8]
                                sum += leaf[v9 &+ 9]
                            }
                            margins[row] = sum
                        }
                    }
                }
            }
        }
    }
}
