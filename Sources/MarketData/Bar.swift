import Foundation

/// One OHLCV bar. `openTime` is the bar's open, in milliseconds since the Unix epoch, UTC.
public struct Bar: Sendable, Equatable, Codable {
    public var openTime: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Double
    /// True for a bar made up by `--fill-gaps` (previous close, zero volume), not observed.
    public var isFilled: Bool

    public init(
        openTime: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double, isFilled: Bool = false
    ) {
        self.openTime = openTime
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.isFilled = isFilled
    }

    /// Why this bar cannot be stored, or nil when it is sound: finite positive prices, a high and low
    /// that bracket open and close, a non-negative volume.
    public var defect: String? {
        // Every bar stored passes through here: no list is built, a message only for a bad one.
        func price(_ name: StaticString, _ value: Double) -> String? {
            value.isFinite && value > 0 ? nil : "\(name) must be a positive finite number, got \(value)"
        }
        if let problem = price("open", open) ?? price("high", high) ?? price("low", low) ?? price("close", close) {
            return problem
        }
        if !volume.isFinite || volume < 0 { return "volume must be a non-negative finite number, got \(volume)" }
        if high < max(open, close) { return "high \(high) is below max(open, close) \(max(open, close))" }
        if low > min(open, close) { return "low \(low) is above min(open, close) \(min(open, close))" }
        return nil
    }
}

/// Sorts bars by open time and collapses duplicates (the last occurrence wins, as a later exchange
/// answer or a later CSV line corrects an earlier one). Returns the bars and how many were dropped.
public func collapseDuplicates(_ bars: [Bar]) -> (bars: [Bar], duplicates: Int) {
    guard bars.count > 1 else { return (bars, 0) }
    // Most inputs (the exchange's pages, a file read by `CandleDirectory`) are already in order:
    // one pass instead of a sort of a million bars.
    if zip(bars, bars.dropFirst()).allSatisfy({ $0.openTime < $1.openTime }) { return (bars, 0) }
    var sorted = bars.enumerated().sorted { lhs, rhs in
        lhs.element.openTime != rhs.element.openTime
            ? lhs.element.openTime < rhs.element.openTime : lhs.offset < rhs.offset
    }.map(\.element)
    var write = 0
    for read in 1..<sorted.count {
        if sorted[read].openTime == sorted[write].openTime {
            sorted[write] = sorted[read]
        } else {
            write += 1
            sorted[write] = sorted[read]
        }
    }
    let kept = write + 1
    return (Array(sorted[..<kept]), bars.count - kept)
}
