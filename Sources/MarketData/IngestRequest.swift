import Foundation
import GRDB
import Logging
import Store

public struct IngestRequest: Sendable {
    public var symbols: [String]
    public var timeframe: Timeframe
    /// Bars with `since ≤ open_time` and closed by `until` (`open_time + timeframe ≤ until`).
    public var since: Int64
    public var until: Int64
    public var fillGaps: Bool

    public init(symbols: [String], timeframe: Timeframe, since: Int64, until: Int64, fillGaps: Bool = false) {
        self.symbols = symbols
        self.timeframe = timeframe
        self.since = since
        self.until = until
        self.fillGaps = fillGaps
    }
}
