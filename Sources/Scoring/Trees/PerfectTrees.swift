import ModelFormat

/// Trees stored as perfect binary trees in heap order (walks number the root 2, children of `i` at
/// `2i − 1` and `2i`, `PerfectSplit`), so a step loads one split word and one key and adds them,
/// with no child links to follow and no branch. A leaf above the bottom level is pushed down to copies of itself under splits whose
/// direction does not matter. Used when no tree is deeper than `maximumDepth`: the layout doubles
/// with every level.
///
/// Copies of the ensemble (about 0.3 MB for 200 trees of depth 6), one per way of overlapping
/// the walks: for batches, each tree walks `laneRows` rows in lockstep through this type's own
/// layout (each tree at its own depth), or, with AVX-512 and trees of depth 6 at most, 16 rows to a
/// register (`WideTrees`); for a few rows, `InterleavedTrees` walks `laneTrees` trees in lockstep
/// for one row.
///
/// A class: a member's layouts are many arrays, and scoring one row should retain one object, not each of them.
final class PerfectTrees: Sendable {
    struct Tree: Sendable {
        /// Offset that turns a walk's index (heap index + 1, `PerfectSplit`) into an index in `splits`.
        var splitOrigin: Int
        /// Offset that turns a walk's final index (2^depth + 1 … 2^(depth+1)) into an index in `leaves`.
        var leafOrigin: Int
        var depth: Int
    }

    static let maximumDepth = 10

    /// Rows scored together: their keys (two 8-byte columns per feature, 15 KB at 24 features) and
    /// margins stay in L1 while each tree's splits are read once per block instead of once per row.
    static let blockRows = 40

    /// Rows one tree walks in lockstep (`PerfectSplit.walk`).
    static let laneRows = 10

    /// Below this many rows a batch is scored row by row, trees in lockstep: a block pads its rows
    /// to `laneRows`, so a few rows pay for ten, and one row by itself costs about two rows' share
    /// of a full block.
    static let rowByRowBelow = 6

    let trees: [Tree]
    let splits: [PerfectSplit]
    let leaves: [Float]
    let interleaved: InterleavedTrees
    /// The AVX-512 walk for large batches, when the CPU has it and no tree is deeper than 6.
    let wide: WideTrees?
    let base: Float

    /// nil when a tree is deeper than `maximumDepth` or has a NaN threshold, or when a key offset
    /// would not fit `Int32`.
    init?(_ ensemble: TreeEnsemble) {
        // Key offsets are the low 31 bits of a split's word and computed in Int32.
        guard ensemble.featureCount <= Int(Int32.max) / (2 * Self.blockRows),
            ensemble.trees.allSatisfy({ tree in tree.allSatisfy { $0.isLeaf || !$0.threshold.isNaN } })
        else { return nil }
        var depths: [Int] = []
        for tree in ensemble.trees {
            guard let depth = Self.depth(of: tree, maximum: Self.maximumDepth) else { return nil }
            depths.append(depth)
        }
        var trees: [Tree] = [], splits: [PerfectSplit] = [], leaves: [Float] = []
        for (tree, depth) in zip(ensemble.trees, depths) {
            let bottom = 1 << depth
            let entry = Tree(
                splitOrigin: splits.count - PerfectSplit.root, leafOrigin: leaves.count - bottom - 1, depth: depth)
            splits += repeatElement(.padding, count: bottom - 1)
            leaves += repeatElement(0, count: bottom)
            Self.place(tree, depth: depth) { slot, node in
                splits[entry.splitOrigin + slot + 1] = PerfectSplit(node, stride: Int32(Self.blockRows))
            } leaf: { slot, value in
                leaves[entry.leafOrigin + slot + 1] = value
            }
            trees.append(entry)
        }
        self.trees = trees
        self.splits = splits
        self.leaves = leaves
        interleaved = InterleavedTrees(ensemble, depths: depths)
        wide = WideTrees(ensemble, depths: depths)
        base = ensemble.baseMargin
    }

    /// The number of splits on the longest path, or nil past `maximum`.
    static func depth(of tree: [TreeEnsemble.Node], maximum: Int) -> Int? {
        var deepest = 0
        var pending: [(node: Int, depth: Int)] = [(0, 0)]
        while let (index, depth) = pending.popLast() {
            guard depth <= maximum else { return nil }
            deepest = max(deepest, depth)
            let node = tree[index]
            if !node.isLeaf {
                pending.append((Int(node.left), depth + 1))
                pending.append((Int(node.right), depth + 1))
            }
        }
        return deepest
    }

    /// Places a tree of at most `depth` levels as a perfect tree of exactly `depth`: `split` for
    /// each real split's heap index, `leaf` for each bottom slot (2^depth … 2^(depth+1) − 1). Slots
    /// under a leaf above the bottom get no split call; the layout's padding split must fill them.
    static func place(
        _ tree: [TreeEnsemble.Node], depth: Int, split: (Int, TreeEnsemble.Node) -> Void, leaf: (Int, Float) -> Void
    ) {
        let bottom = 1 << depth
        var pending: [(source: Int, slot: Int)] = [(0, 1)]
        while let (source, slot) = pending.popLast() {
            let node = tree[source]
            if slot >= bottom {
                leaf(slot, node.leafValue)
            } else if node.isLeaf {
                pending.append((source, 2 * slot))
                pending.append((source, 2 * slot + 1))
            } else {
                split(slot, node)
                pending.append((Int(node.left), 2 * slot))
                pending.append((Int(node.right), 2 * slot + 1))
            }
        }
    }

    /// How `margins` overlaps its walks; tests force each (`wide` only where it exists).
    enum Walk {
        case automatic, rowsInLockstep, treesInLockstep, wide
    }

    /// Adds every tree's leaf, in tree order and in float32 as XGBoost does, to `margins`, which
    /// holds one value per row (row-major `values`, `width` per row).
    func margins(
        _ values: UnsafePointer<Float>, rows: Int, width: Int, into margins: UnsafeMutablePointer<Float>,
        walk: Walk = .automatic
    ) {
        switch walk {
        case .treesInLockstep:
            interleaved.margins(values, rows: rows, width: width, base: base, into: margins)
        case .automatic where rows < Self.rowByRowBelow:
            interleaved.margins(values, rows: rows, width: width, base: base, into: margins)
        case .wide:
            wide!.margins(values, rows: rows, width: width, into: margins)
        case .automatic where rows >= WideTrees.minimumRows && wide != nil:
            wide!.margins(values, rows: rows, width: width, into: margins)
        case .automatic, .rowsInLockstep:
            blockMargins(values, rows: rows, width: width, into: margins)
        }
    }

    private func blockMargins(
        _ values: UnsafePointer<Float>, rows: Int, width: Int, into margins: UnsafeMutablePointer<Float>
    ) {
        let block = Self.blockRows
        trees.withUnsafeBufferPointer { trees in
            splits.withUnsafeBufferPointer { splits in
                leaves.withUnsafeBufferPointer { leaves in
                    withUnsafeTemporaryAllocation(of: UInt64.self, capacity: block * 2 * width) { keys in
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: block) { sums in
                            let splits = splits.baseAddress!, leaves = leaves.baseAddress!, keys = keys.baseAddress!,
                                sums = sums.baseAddress!
                            // A short last block walks its padding rows too (their sums are dropped): any key leads
                            // to some leaf, and a whole lane group needs no scalar tail.
                            keys.initialize(repeating: 0, count: block * 2 * width)
                            var start = 0
                            while start < rows {
                                let count = min(block, rows - start)
                                let walked = (count + Self.laneRows - 1) / Self.laneRows * Self.laneRows
                                for position in 0..<count {
                                    FloatKey.write(
                                        values + (start &+ position) &* width, width: width, into: keys + position,
                                        stride: block)
                                }
                                for position in 0..<walked { sums[position] = base }
                                for tree in trees {
                                    let split = splits + tree.splitOrigin, leaf = leaves + tree.leafOrigin,
                                        depth = tree.depth
                                    var position = 0
                                    while position < walked {
                                        // Lane r reads key column offsets + r from one base pointer.
                                        let k = keys + position
                                        @inline(__always) func step(_ i: Int, _ lane: Int) -> Int {
                                            let s = split[i]
                                            return 2 &* i &+ s.leftMask(k[s.keyOffset &+ lane])
                                        }
                                        let (i0, i1, i2, i3, i4, i5, i6, i7, i8, i9) = PerfectSplit.walk(
                                            from: PerfectSplit.root, lanes: Self.laneRows, depth: depth, step)
                                        let sum = sums + position
                                        sum[0] += leaf[i0]
                                        sum[1] += leaf[i1]
                                        sum[2] += leaf[i2]
                                        sum[3] += leaf[i3]
                                        sum[4] += leaf[i4]
                                        sum[5] += leaf[i5]
                                        sum[6] += leaf[i6]
                                        sum[7] += leaf[i7]
                                        if Self.laneRows > 8 {
                                            sum[8] += leaf[i8]
                                            sum[9] += leaf[i9]
                                        }
                                        position &+= Self.laneRows
                                    }
                                }
                                (margins + start).update(from: sums, count: count)
                                start &+= count
                            }
                        }
                    }
                }
            }
        }
    }
}
