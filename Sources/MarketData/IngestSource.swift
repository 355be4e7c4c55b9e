import Foundation
import GRDB
import Logging
import Store

/// Where bars come from.
public enum IngestSource: Sendable {
    case synthetic(SyntheticMarket)
    case binance(BinanceClient)
    /// One file for the one symbol the request names.
    case csv(path: String)
    /// A directory of candle files; a timeframe without files is derived from a shorter one.
    case files(CandleDirectory)

    public var name: String {
        switch self {
        case .synthetic: "synthetic"
        case .binance: "binance"
        case .csv: "csv"
        case .files: "files"
        }
    }
}
