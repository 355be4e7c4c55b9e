import ModelFormat

/// A split of a perfect-tree layout (`PerfectTrees`, `InterleavedTrees`): 8 bytes, eight to a cache
/// line.
struct PerfectSplit: Sendable {
    /// Where the split's key column starts, in keys (a column index times the layout's stride).
    var keyOffset: Int32
    /// The threshold's key minus one: a key above it is at or above the threshold and goes right, so
    /// the step is `2i + carry`. Threshold keys are at least `of(-∞)`, so this never wraps.
    var rightAbove: UInt32

    /// Compares with the missing-right key only, so every complete row goes left and a missing value
    /// right; it sits where a leaf was pushed down, over two copies of that leaf.
    static let padding = PerfectSplit(keyOffset: 0, rightAbove: FloatKey.missingRight - 1)

    init(keyOffset: Int32, rightAbove: UInt32) {
        self.keyOffset = keyOffset
        self.rightAbove = rightAbove
    }

    init(_ node: TreeEnsemble.Node, stride: Int32) {
        keyOffset = FloatKey.column(node.feature, missingGoesLeft: node.missingGoesLeft) &* stride
        rightAbove = FloatKey.of(node.threshold) &- 1
    }

    /// 1 when `key` goes right, else 0. Computed from the comparison's carry: written as a select,
    /// the compiler may emit a branch, which random splits mispredict half the time.
    @inline(__always)
    func right(_ key: UInt32) -> Int {
        Int(unsafeBitCast(key > rightAbove, to: UInt8.self))
    }

    /// The next heap index: `2i` left, `2i + 1` right (one add with carry).
    @inline(__always)
    func child(of index: Int, _ key: UInt32) -> Int {
        index &+ index &+ right(key)
    }

    /// Eight walks of `depth` steps from `start`, `step(index, lane)` each: independent chains of
    /// loads interleaved so that they overlap. Eight because their indices then stay in registers;
    /// more lanes spill, which costs more than it overlaps.
    @inline(__always)
    static func walkEight(from start: Int, depth: Int, _ step: (Int, Int) -> Int) -> (Int, Int, Int, Int, Int, Int, Int, Int) {
        var i0 = start, i1 = start, i2 = start, i3 = start, i4 = start, i5 = start, i6 = start, i7 = start
        for _ in 0..<depth {
            i0 = step(i0, 0)
            i1 = step(i1, 1)
            i2 = step(i2, 2)
            i3 = step(i3, 3)
            i4 = step(i4, 4)
            i5 = step(i5, 5)
            i6 = step(i6, 6)
            i7 = step(i7, 7)
        }
        return (i0, i1, i2, i3, i4, i5, i6, i7)
    }
}
