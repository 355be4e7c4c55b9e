import Foundation
import GRDB
import Logging
import Store

public struct IngestSummary: Sendable, Equatable {
    public var source: String
    public var timeframe: Timeframe
    public var symbols: [String]
    public var received = 0
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    /// Bars that appeared more than once in the input and were collapsed to one.
    public var duplicates = 0
    /// Bars not yet closed at ingest time: never stored.
    public var openBarsDropped = 0
    /// Bars of the input outside `since`/`until` (a CSV file that holds more than was asked for).
    public var outsideWindow = 0
    /// The `since`/`until` asked for, when bars fell outside them.
    public var window: [Int64]?
    public var filled = 0
    /// Gaps in each stored series within the requested range, after any filling.
    public var gaps: [GapReport] = []

    public var written: Int { inserted + updated }

    public var line: String {
        let gapCount = gaps.reduce(0) { $0 + $1.gaps }
        let longest = gaps.max { $0.longestBars < $1.longestBars }
        var text =
            "\(source) \(timeframe): \(symbols.count) symbol\(symbols.count == 1 ? "" : "s"), \(received) bars received, "
            + "\(written) written (\(inserted) new, \(updated) updated), \(unchanged) unchanged, \(duplicates) duplicates"
        if openBarsDropped > 0 { text += ", \(openBarsDropped) open bar\(openBarsDropped == 1 ? "" : "s") skipped" }
        if outsideWindow > 0, let window, window.count == 2 {
            text +=
                ", \(outsideWindow) bar\(outsideWindow == 1 ? "" : "s") outside --since \(UTCTime.format(window[0])) … --until \(UTCTime.format(window[1])) left out"
        }
        if filled > 0 { text += ", \(filled) filled" }
        if let longest, gapCount > 0 {
            text +=
                ", \(gapCount) gap\(gapCount == 1 ? "" : "s") (longest \(longest.longestBars) bars in \(longest.symbol))"
        } else {
            text += ", no gaps"
        }
        return text
    }
}
