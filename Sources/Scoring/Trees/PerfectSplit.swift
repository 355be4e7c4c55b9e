import ModelFormat

/// A split of a perfect-tree layout (`PerfectTrees`, `InterleavedTrees`): one word, so that a step
/// loads it once, eight to a cache line.
///
/// The walks number nodes from 2 (`i` = heap index + 1): the children of `i` are then `2i − 1` and
/// `2i`, and a step is `2i + (key + word) >> 63` (an arithmetic shift: 0 or −1), plain arithmetic
/// on one load of each. Written as a compare, the step leaves the compiler free to turn a lane's
/// select into a branch (random splits mispredict half of them), which it does with ten lanes.
struct PerfectSplit: Sendable {
    /// The key offset (a key column's index times the layout's stride, below 2^31) in the low 31
    /// bits, minus `(rightAbove + 1) << 31`, where `rightAbove` is the threshold's key minus one.
    /// Keys are stored shifted up by 31 (`FloatKey.write`), below 2^63, so `key + word` is
    /// `(key − rightAbove − 1) × 2^31 + offset`: negative exactly when the 32-bit key is at most
    /// `rightAbove`, below the threshold, and the row goes left. Threshold keys are at least
    /// `of(-∞)`, so `rightAbove` never wraps.
    var word: UInt64

    static let offsetBits = 31

    /// Compares with the missing-right key only, so every complete row goes left and a missing value
    /// right; it sits where a leaf was pushed down, over two copies of that leaf.
    static let padding = PerfectSplit(rightAbove: FloatKey.missingRight - 1, keyOffset: 0)

    /// The index the walks give the heap's root.
    static let root = 2

    /// `keyOffset` below 2^31 (the layouts check their sizes).
    init(rightAbove: UInt32, keyOffset: Int32) {
        word = UInt64(UInt32(keyOffset)) &- (UInt64(rightAbove) &+ 1) << Self.offsetBits
    }

    init(_ node: TreeEnsemble.Node, stride: Int32) {
        self.init(
            rightAbove: FloatKey.of(node.threshold) &- 1,
            keyOffset: FloatKey.column(node.feature, missingGoesLeft: node.missingGoesLeft) &* stride)
    }

    @inline(__always)
    var keyOffset: Int { Int(truncatingIfNeeded: word & (1 << Self.offsetBits - 1)) }

    /// −1 when `key` (as `FloatKey.write` stores it) goes left, else 0.
    @inline(__always)
    func leftMask(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: Int64(bitPattern: key &+ word) &>> 63)
    }

    /// `lanes` walks (8 or 10) of `depth` steps from `start`, `step(index, lane)` each:
    /// independent chains of loads, interleaved so that they overlap. A step's loads wait for the
    /// step before (split, then key), so one walk leaves the core idle; ten in flight keep their
    /// indices in registers, more spill them, which costs more than it overlaps.
    @inline(__always)
    static func walk(from start: Int, lanes: Int, depth: Int, _ step: (Int, Int) -> Int) -> (
        Int, Int, Int, Int, Int, Int, Int, Int, Int, Int
    ) {
        var i0 = start, i1 = start, i2 = start, i3 = start, i4 = start, i5 = start, i6 = start, i7 = start, i8 = start,
            i9 = start
        var remaining = depth
        while remaining > 0 {
            remaining &-= 1
            i0 = step(i0, 0)
            i1 = step(i1, 1)
            i2 = step(i2, 2)
            i3 = step(i3, 3)
            i4 = step(i4, 4)
            i5 = step(i5, 5)
            i6 = step(i6, 6)
            i7 = step(i7, 7)
            if lanes > 8 {
                i8 = step(i8, 8)
                i9 = step(i9, 9)
            }
        }
        return (i0, i1, i2, i3, i4, i5, i6, i7, i8, i9)
    }
}
