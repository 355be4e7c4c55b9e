/// Bars of a longer timeframe derived exactly from a shorter one that divides it: the open of the
/// first, the highest high, the lowest low, the close of the last, the summed volume. A bucket is
/// kept only when every one of its shorter bars is there, so a derived bar is always closed and
/// never made from part of its span; the others are counted as partial and left out (a partial
/// hour would give the screen a high, low and close that the exchange never printed).
public struct CoarserBars: Sendable, Equatable {
    public var bars: [Bar]
    /// Buckets with some but not all of their shorter bars.
    public var partial: Int

    /// `bars` sorted by open time and unique, of `source`; `target` must be a multiple of `source`.
    public init(_ bars: [Bar], from source: Timeframe, into target: Timeframe) {
        precondition(target.milliseconds % source.milliseconds == 0, "\(target) is not a multiple of \(source)")
        let perBucket = Int(target.milliseconds / source.milliseconds)
        var result: [Bar] = []
        result.reserveCapacity(bars.count / max(perBucket, 1) + 1)
        var partial = 0
        var index = 0
        while index < bars.count {
            let bucket = target.floor(bars[index].openTime)
            var end = index
            while end < bars.count, target.floor(bars[end].openTime) == bucket { end += 1 }
            if end - index == perBucket {
                var bar = bars[index]
                bar.openTime = bucket
                for other in bars[(index + 1)..<end] {
                    bar.high = max(bar.high, other.high)
                    bar.low = min(bar.low, other.low)
                    bar.volume += other.volume
                    bar.isFilled = bar.isFilled || other.isFilled
                }
                bar.close = bars[end - 1].close
                result.append(bar)
            } else {
                partial += 1
            }
            index = end
        }
        self.bars = result
        self.partial = partial
    }

    /// The longest timeframe among `available` that divides `target` and is shorter than it: the
    /// one to derive `target` from (the fewest bars to read).
    public static func source(for target: Timeframe, among available: [Timeframe]) -> Timeframe? {
        available.filter { $0.milliseconds < target.milliseconds && target.milliseconds % $0.milliseconds == 0 }
            .max { $0.milliseconds < $1.milliseconds }
    }
}
