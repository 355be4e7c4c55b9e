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
    /// Candle files: how many were read, in which formats, rows found out of order (sorted), and
    /// the exchange archives whose .CHECKSUM was verified or absent.
    public var files = 0
    public var formats: [String] = []
    public var unsorted = 0
    public var checksumsVerified = 0
    public var checksumsMissing = 0
    /// Bars derived from a shorter timeframe (no file of this one), and the buckets left out
    /// because some of their shorter bars are missing (`CoarserBars`).
    public var derivedFrom: Timeframe?
    public var derivedSymbols = 0
    public var partial = 0
    /// Gaps in each stored series within the requested range, after any filling.
    public var gaps: [GapReport] = []

    public var written: Int { inserted + updated }

    /// Adds one symbol's reading counts (`Ingestor`'s directory path) to a request's.
    mutating func add(_ counts: IngestSummary) {
        received += counts.received
        duplicates += counts.duplicates
        unsorted += counts.unsorted
        files += counts.files
        checksumsVerified += counts.checksumsVerified
        checksumsMissing += counts.checksumsMissing
        outsideWindow += counts.outsideWindow
        if counts.window != nil { window = counts.window }
        openBarsDropped += counts.openBarsDropped
        if let derived = counts.derivedFrom { derivedFrom = derived }
        derivedSymbols += counts.derivedSymbols
        partial += counts.partial
    }

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
        if files > 0 {
            text += ", \(files) file\(files == 1 ? "" : "s") (\(formats.joined(separator: ", ")))"
            if checksumsVerified + checksumsMissing > 0 {
                text += ", \(checksumsVerified) checksum\(checksumsVerified == 1 ? "" : "s") verified"
                if checksumsMissing > 0 {
                    text += ", \(checksumsMissing) archive\(checksumsMissing == 1 ? "" : "s") without one"
                }
            }
        }
        if unsorted > 0 { text += ", \(unsorted) out of order (sorted)" }
        if let derivedFrom {
            text += ", \(derivedSymbols == symbols.count ? "all" : "\(derivedSymbols)") derived from \(derivedFrom)"
            if partial > 0 {
                text +=
                    ", \(partial) partial \(timeframe) bar\(partial == 1 ? "" : "s") left out (some \(derivedFrom) bars missing)"
            }
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
