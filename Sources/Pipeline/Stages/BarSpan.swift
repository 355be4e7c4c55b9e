import MarketData
import Store

/// A symbol's bars at a timeframe as the store holds them: what a stage that reads them depends on.
public struct BarSpan: Encodable, Sendable {
    var symbol: String
    var count: Int
    var first: Int64
    var last: Int64

    static func all(_ store: DataStore, _ timeframe: Timeframe) throws -> [BarSpan] {
        try store.summaries(timeframe: timeframe).map {
            BarSpan(symbol: $0.symbol, count: $0.count, first: $0.firstOpenTime, last: $0.lastOpenTime)
        }
    }
}
