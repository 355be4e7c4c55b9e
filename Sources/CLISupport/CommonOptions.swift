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
