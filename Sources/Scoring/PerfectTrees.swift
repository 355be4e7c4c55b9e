import ModelFormat

/// Trees stored as perfect binary trees in heap order (root 1, children of `i` at `2i` and `2i+1`),
/// so a step loads one split and one input and compares them, with no child links to follow and no
/// branch. A leaf above the bottom level is pushed down to copies of itself under splits whose
/// direction does not matter. Each tree keeps its own depth, so padding costs only that tree's
/// missing levels. Used when no tree is deeper than `maximumDepth`: the layout doubles with every
/// level.
///
/// Inputs and thresholds are compared as `FloatKey`s, unsigned integers ordered as the floats are:
/// an integer compare is quicker than a float one and sets the carry flag the step consumes.
struct PerfectTrees: Sendable {
    /// 8 bytes, eight to a cache line: a depth-6 tree's splits fit in eight lines.
    struct Split: Sendable {
        /// `feature × blockRows`: where the feature's column starts in a block of keys.
        var columnOffset: Int32
        var thresholdKey: UInt32
    }

    struct Tree: Sendable {
        /// Offset that turns heap index `i` (from 1) into an index in `splits` and `missingGoesLeft`.
        var splitOrigin: Int
        /// Offset that turns a final heap index (2^depth … 2^(depth+1) − 1) into an index in `leaves`.
        var leafOrigin: Int
        var depth: Int
    }

    static let maximumDepth = 10

    /// Rows scored together: their keys (a few KB, column by column) and margins stay in L1 while
    /// each tree's splits are read once per block instead of once per row.
    static let blockRows = 64

    let trees: [Tree]
    let splits: [Split]
    let missingGoesLeft: [Bool]
    let leaves: [Float]
    let base: Float

    /// nil when a tree is deeper than `maximumDepth` or has a NaN threshold, or when a column
    /// offset would not fit `Int32`.
    init?(_ ensemble: TreeEnsemble) {
        guard ensemble.featureCount <= Int(Int32.max) / Self.blockRows else { return nil }
        var trees: [Tree] = [], splits: [Split] = [], missingGoesLeft: [Bool] = [], leaves: [Float] = []
        // A padding split compares with the NaN key, which no complete row reaches (all go left);
        // a missing value goes right. Both children hold the same leaf, so either way is right.
        let padding = Split(columnOffset: 0, thresholdKey: FloatKey.missing)
        for tree in ensemble.trees {
            guard let depth = Self.depth(of: tree, maximum: Self.maximumDepth) else { return nil }
            let bottom = 1 << depth
            let entry = Tree(splitOrigin: splits.count - 1, leafOrigin: leaves.count - bottom, depth: depth)
            splits += repeatElement(padding, count: bottom - 1)
            missingGoesLeft += repeatElement(false, count: bottom - 1)
            leaves += repeatElement(0, count: bottom)
            var pending: [(source: Int, slot: Int)] = [(0, 1)]
            while let (source, slot) = pending.popLast() {
                let node = tree[source]
                if slot >= bottom {
                    leaves[entry.leafOrigin + slot] = node.leafValue
                } else if node.isLeaf {
                    pending.append((source, 2 * slot))
                    pending.append((source, 2 * slot + 1))
                } else {
                    // A NaN threshold sends every value right as a float compare; no key does that.
                    guard !node.threshold.isNaN else { return nil }
                    splits[entry.splitOrigin + slot] = Split(columnOffset: node.feature * Int32(Self.blockRows),
                                                             thresholdKey: FloatKey.of(node.threshold))
                    missingGoesLeft[entry.splitOrigin + slot] = node.missingGoesLeft
                    pending.append((Int(node.left), 2 * slot))
                    pending.append((Int(node.right), 2 * slot + 1))
                }
            }
            trees.append(entry)
        }
        self.trees = trees
        self.splits = splits
        self.missingGoesLeft = missingGoesLeft
        self.leaves = leaves
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

    /// `2i` when the input is below the threshold, else `2i + 1`. Computed from the comparison's
    /// bit: written as a select, the compiler may emit a branch, which random splits mispredict half
    /// the time.
    @inline(__always)
    static func child(of index: Int, _ key: UInt32, _ split: Split) -> Int {
        2 &* index &+ 1 &- Int(unsafeBitCast(key < split.thresholdKey, to: UInt8.self))
    }

    /// Adds every tree's leaf, in tree order and in float32 as XGBoost does, to `margins`, which
    /// holds one value per row (row-major `values`, `width` per row).
    func margins(_ values: UnsafePointer<Float>, rows: Int, width: Int, into margins: UnsafeMutablePointer<Float>) {
        let block = Self.blockRows
        trees.withUnsafeBufferPointer { trees in
        splits.withUnsafeBufferPointer { splits in
        missingGoesLeft.withUnsafeBufferPointer { missingGoesLeft in
        leaves.withUnsafeBufferPointer { leaves in
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: block * width) { keys in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: block) { rowAt in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: block) { sums in
            let splits = splits.baseAddress!, leaves = leaves.baseAddress!, missingGoesLeft = missingGoesLeft.baseAddress!
            let keys = keys.baseAddress!
            var start = 0
            while start < rows {
                let count = min(block, rows - start)
                // Complete rows take the first positions and the one-compare step; rows with a
                // missing value go last and check each split's default direction.
                var complete = 0, last = count
                for row in start..<(start + count) {
                    var hasMissing = false
                    for column in 0..<width where values[row &* width &+ column].isNaN { hasMissing = true; break }
                    if hasMissing {
                        last -= 1
                        rowAt[last] = row
                    } else {
                        rowAt[complete] = row
                        complete += 1
                    }
                }
                for position in 0..<count {
                    let x = values + rowAt[position] &* width
                    for column in 0..<width { keys[column &* block &+ position] = FloatKey.of(x[column]) }
                    sums[position] = base
                }
                for tree in trees {
                    let split = splits + tree.splitOrigin, leaf = leaves + tree.leafOrigin, depth = tree.depth
                    var position = 0
                    // Eight rows walk in lockstep from one base pointer (lane k reads column + k).
                    while position &+ 8 <= complete {
                        let k = keys + position
                        var i0 = 1, i1 = 1, i2 = 1, i3 = 1, i4 = 1, i5 = 1, i6 = 1, i7 = 1
                        for _ in 0..<depth {
                            let s0 = split[i0], s1 = split[i1], s2 = split[i2], s3 = split[i3]
                            let s4 = split[i4], s5 = split[i5], s6 = split[i6], s7 = split[i7]
                            i0 = Self.child(of: i0, k[Int(s0.columnOffset)], s0)
                            i1 = Self.child(of: i1, k[Int(s1.columnOffset) &+ 1], s1)
                            i2 = Self.child(of: i2, k[Int(s2.columnOffset) &+ 2], s2)
                            i3 = Self.child(of: i3, k[Int(s3.columnOffset) &+ 3], s3)
                            i4 = Self.child(of: i4, k[Int(s4.columnOffset) &+ 4], s4)
                            i5 = Self.child(of: i5, k[Int(s5.columnOffset) &+ 5], s5)
                            i6 = Self.child(of: i6, k[Int(s6.columnOffset) &+ 6], s6)
                            i7 = Self.child(of: i7, k[Int(s7.columnOffset) &+ 7], s7)
                        }
                        sums[position] += leaf[i0]
                        sums[position &+ 1] += leaf[i1]
                        sums[position &+ 2] += leaf[i2]
                        sums[position &+ 3] += leaf[i3]
                        sums[position &+ 4] += leaf[i4]
                        sums[position &+ 5] += leaf[i5]
                        sums[position &+ 6] += leaf[i6]
                        sums[position &+ 7] += leaf[i7]
                        position &+= 8
                    }
                    while position < complete {
                        let k = keys + position
                        var i = 1
                        for _ in 0..<depth {
                            let s = split[i]
                            i = Self.child(of: i, k[Int(s.columnOffset)], s)
                        }
                        sums[position] += leaf[i]
                        position &+= 1
                    }
                    let missingLeft = missingGoesLeft + tree.splitOrigin
                    while position < count {
                        let k = keys + position
                        var i = 1
                        for _ in 0..<depth {
                            let s = split[i], key = k[Int(s.columnOffset)]
                            // The missing key is above every threshold, so `<` sends it right unless
                            // the split sends missing values left.
                            let below = unsafeBitCast(key < s.thresholdKey, to: UInt8.self)
                            let missing = unsafeBitCast(key == FloatKey.missing, to: UInt8.self)
                            let sendsLeft = unsafeBitCast(missingLeft[i], to: UInt8.self)
                            i = 2 &* i &+ 1 &- Int(below | (missing & sendsLeft))
                        }
                        sums[position] += leaf[i]
                        position &+= 1
                    }
                }
                for position in 0..<count { margins[rowAt[position]] = sums[position] }
                start &+= count
            }
        }}}}}}}
    }
}

/// Floats as unsigned integers in the same order: `a < b` ⇔ `of(a) < of(b)` for all non-NaN
/// floats, with −0 and +0 equal as they compare. Every NaN maps to `missing`, above all others.
enum FloatKey {
    static let missing = UInt32.max

    @inline(__always)
    static func of(_ value: Float) -> UInt32 {
        if value.isNaN { return missing }
        let bits = (value == 0 ? 0 : value).bitPattern
        // Positive floats order as their bits; negative ones in reverse, below all positive ones.
        return bits & 0x8000_0000 == 0 ? bits | 0x8000_0000 : ~bits
    }
}
