import ArgumentParser
import Foundation
import Logging
import MarketData

/// Parses a `--since`/`--until` value.
public func parseTime(_ text: String, flag: String) throws -> Int64 {
    guard let time = UTCTime.parse(text) else {
        throw ValidationError("\(flag) '\(text)' is not a time: use ISO-8601 UTC (2024-01-31 or 2024-01-31T12:00:00Z) or epoch milliseconds")
    }
    return time
}

/// Parses a `--timeframe` value; the message names the flag.
public func parseTimeframe(_ text: String, flag: String = "--timeframe") throws -> Timeframe {
    do { return try Timeframe.parse(text) } catch { throw ValidationError("\(flag): \(error)") }
}

/// Parses a `--symbols` list; the message names the flag.
public func parseSymbols(_ text: String, flag: String = "--symbols") throws -> [String] {
    do { return try Symbols.parseList(text) } catch { throw ValidationError("\(flag): \(error)") }
}
