import Foundation
import MarketData

/// Both legs of a pair on their common bars (inner join on open time), oldest first.
public struct PairBars: Sendable, Equatable {
    public var openTimes: [Int64] = []
    public var closeA: [Double] = []
    public var closeB: [Double] = []
    public var volumeA: [Double] = []
    public var volumeB: [Double] = []

    public init() {}

    public init(a: [Bar], b: [Bar]) {
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i].openTime < b[j].openTime {
                i += 1
                continue
            }
            if a[i].openTime > b[j].openTime {
                j += 1
                continue
            }
            openTimes.append(a[i].openTime)
            closeA.append(a[i].close)
            closeB.append(b[j].close)
            volumeA.append(a[i].volume)
            volumeB.append(b[j].volume)
            i += 1
            j += 1
        }
    }

    public var count: Int { openTimes.count }

    /// The first `count` bars: what the pair looked like when its last bar was the newest.
    public func prefix(_ count: Int) -> PairBars {
        var copy = PairBars()
        copy.openTimes = Array(openTimes.prefix(count))
        copy.closeA = Array(closeA.prefix(count))
        copy.closeB = Array(closeB.prefix(count))
        copy.volumeA = Array(volumeA.prefix(count))
        copy.volumeB = Array(volumeB.prefix(count))
        return copy
    }
}
