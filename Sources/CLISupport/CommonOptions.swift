import ArgumentParser
import Foundation
import Logging
import MarketData

/// The latest time a flag takes: 2100-01-01T00:00:00Z.
public let latestTime: Int64 = 4_102_444_800_000

/// Parses a `--since`/`--until` value.
public func parseTime(_ text: String, flag: String) throws -> Int64 {
    guard let time = UTCTime.parse(text) else {
        throw ValidationError(
            "\(flag) '\(text)' is not a time: use ISO-8601 UTC (2024-01-31 or 2024-01-31T12:00:00Z) or epoch milliseconds"
        )
    }
    // Bars exist between these; a time far outside them (epoch ms near Int64.max) would only
    // overflow the arithmetic of the windows built from it.
    guard (0...latestTime).contains(time) else {
        throw ValidationError("\(flag) '\(text)' is outside 1970-01-01 … 2100-01-01")
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
