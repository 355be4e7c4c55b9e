import Foundation

/// The bars of one symbol at one timeframe, sorted by open time, no duplicates.
public struct BarSeries: Sendable, Equatable {
    public var symbol: String
    public var timeframe: Timeframe
    public var bars: [Bar]

    public init(symbol: String, timeframe: Timeframe, bars: [Bar]) {
        self.symbol = symbol
        self.timeframe = timeframe
        self.bars = bars
    }
}
