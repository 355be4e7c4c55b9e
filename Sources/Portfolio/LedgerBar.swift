import Foundation
import Backtest

/// What booking one bar did: the rows the ledger's tables get (`LedgerRecords.write`).
public struct LedgerBar: Sendable {
    public var openTime: Int64
    public var modelVersion: Int
    /// One per pair priced at this bar.
    public var marks: [LedgerMark] = []
    /// Returns of earlier bars completed by this bar's marks.
    public var returns: [LedgerReturn] = []
    public var fills: [LedgerFill] = []
    public var trades: [LedgerTrade] = []
    public var events: [LedgerEvent] = []
    public var warnings: [String] = []
    public var portfolio = PortfolioMark(
        openTime: 0, equity: 0, peak: 0, gross: 0, net: 0, positions: 0, stopped: false)
    /// Entries the caps left out, and why.
    public var skipped: [String: String] = [:]
    /// An entry was sized down by a cap.
    public var capped = false
    var pnl: [String: Double] = [:]
    var costs: [String: Double] = [:]

    public init(openTime: Int64, modelVersion: Int) {
        self.openTime = openTime
        self.modelVersion = modelVersion
    }
}

/// A pair at one booked bar: what it holds after the bar's fill, and its equity either side of it.
public struct LedgerMark: Codable, Sendable, Equatable {
    public var pair: String
    public var openTime: Int64
    public var modelVersion: Int
    public var position: Double
    public var decided: Double
    public var equityBefore: Double
    public var equity: Double
    /// The mark's P&L from the previous booked bar, and this bar's fill cost.
    public var pnl: Double
    public var cost: Double
    public var status: String
    public var z: Double?
    public var proba: Double?
    public var signal: Int?
}

/// The return of a pair's bar: from its close (its fill included) to the next booked close, as the
/// backtest's per-bar returns.
public struct LedgerReturn: Codable, Sendable, Equatable {
    public var pair: String
    public var openTime: Int64
    public var ret: Double
}

/// One leg of one fill.
public struct LedgerFill: Codable, Sendable, Equatable {
    public var pair: String
    /// The bar whose close filled it.
    public var openTime: Int64
    public var symbol: String
    public var modelVersion: Int
    public var side: String
    public var quantity: Double
    public var price: Double
    public var notional: Double
    /// Fee and slippage of this leg.
    public var cost: Double
    /// entry, exit, reversal, or the stop or drop that flattened the pair.
    public var reason: String
    /// The bar whose signal decided it.
    public var decidedAt: Int64
}

public struct LedgerTrade: Codable, Sendable, Equatable {
    public var pair: String
    public var modelVersion: Int
    public var trade: ClosedTrade

    init(pair: String, modelVersion: Int, trade: ClosedTrade) {
        self.pair = pair
        self.modelVersion = modelVersion
        self.trade = trade
    }
}

/// A pair's (or, with an empty pair, the portfolio's) change of state, and why.
public struct LedgerEvent: Codable, Sendable, Equatable {
    public var openTime: Int64
    public var pair: String
    public var from: String
    public var to: String
    public var reason: String
}

public struct PortfolioMark: Codable, Sendable, Equatable {
    public var openTime: Int64
    public var equity: Double
    public var peak: Double
    /// Σ |net leg value| over symbols, and Σ signed.
    public var gross: Double
    public var net: Double
    public var positions: Int
    public var stopped: Bool
}
