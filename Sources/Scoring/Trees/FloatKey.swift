/// Floats as unsigned integers in the same order: `a < b` ⇔ `of(a) < of(b)` for all non-NaN
/// floats, with −0 and +0 equal as they compare. An integer compare is quicker than a float one and
/// sets the carry flag the tree walks consume.
///
/// A missing value (NaN) has two keys, one for each default direction, so that a split needs no
/// check of its own: `missingRight` lies above every threshold's key and `missingLeft` below all,
/// and a split reads the key column that matches its default direction (`column(_:missingGoesLeft:)`).
/// Every row then takes the same one-compare step, missing values or not.
enum FloatKey {
    static let missingRight = UInt32.max
    /// Below `of(-∞)` − 1, the least `rightAbove` a split has.
    static let missingLeft: UInt32 = 0

    /// Without a branch: the signs of a row's values are as good as random, and a mispredicted
    /// branch per value cost more than the rest of the conversion (about 100 ns a row at 24 features).
    @inline(__always)
    static func of(_ value: Float) -> UInt32 {
        // + 0 turns −0 into +0 and leaves every other value as it is.
        let bits = (value + 0).bitPattern
        // Positive floats order as their bits (with the top bit set, above all negative ones);
        // negative ones in reverse: all bits flipped.
        let ordered = bits ^ (UInt32(bitPattern: Int32(bitPattern: bits) &>> 31) | 0x8000_0000)
        return value.isNaN ? missingRight : ordered
    }

    /// The index of a feature's key column among the `2 × width` columns `write` produces.
    @inline(__always)
    static func column(_ feature: Int32, missingGoesLeft: Bool) -> Int32 {
        2 &* feature &+ (missingGoesLeft ? 1 : 0)
    }

    /// The two key columns of each of the row's `width` values, column `c` at `keys[c × stride]`,
    /// each key shifted up as `PerfectSplit` compares them.
    @inline(__always)
    static func write(_ row: UnsafePointer<Float>, width: Int, into keys: UnsafeMutablePointer<UInt64>, stride: Int) {
        for feature in 0..<width {
            let value = row[feature]
            let key = of(value)
            keys[(2 &* feature) &* stride] = UInt64(key) << PerfectSplit.offsetBits
            keys[(2 &* feature &+ 1) &* stride] = UInt64(value.isNaN ? missingLeft : key) << PerfectSplit.offsetBits
        }
    }
}
