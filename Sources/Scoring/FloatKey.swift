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
    /// Below `of(-∞)` − 1, the least `Split.rightAbove` there is.
    static let missingLeft: UInt32 = 0

    @inline(__always)
    static func of(_ value: Float) -> UInt32 {
        if value.isNaN { return missingRight }
        let bits = (value == 0 ? 0 : value).bitPattern
        // Positive floats order as their bits; negative ones in reverse, below all positive ones.
        return bits & 0x8000_0000 == 0 ? bits | 0x8000_0000 : ~bits
    }

    /// The index of a feature's key column among the `2 × width` columns `write` produces.
    @inline(__always)
    static func column(_ feature: Int32, missingGoesLeft: Bool) -> Int32 {
        2 &* feature &+ (missingGoesLeft ? 1 : 0)
    }

    /// The two key columns of each of the row's `width` values, column `c` at `keys[c × stride]`.
    @inline(__always)
    static func write(_ row: UnsafePointer<Float>, width: Int, into keys: UnsafeMutablePointer<UInt32>, stride: Int) {
        for feature in 0..<width {
            let value = row[feature]
            let key = of(value)
            keys[(2 &* feature) &* stride] = key
            keys[(2 &* feature &+ 1) &* stride] = value.isNaN ? missingLeft : key
        }
    }
}
