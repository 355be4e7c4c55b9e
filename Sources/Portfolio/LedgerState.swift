import Backtest
import Foundation
import ModelFormat

/// Everything the paper broker knows between two bars: the store keeps it (`LedgerRecords`), so a
/// restart, a rerun or a replay picks up exactly where the last booked bar left it.
public struct LedgerState: Codable, Sendable, Equatable {
    /// The served model's name the ledger was opened for; a ledger never books another model.
    public var modelName: String
    /// The models directory (or server) the ledger was opened with, for the same reason.
    public var modelSource: String
    /// The version whose signals the last bar booked.
    public var modelVersion: Int?
    /// Open time of the newest booked bar.
    public var newestBar: Int64?
    /// Capital no sleeve holds: the start before the first version, and what dropped pairs release.
    public var cash: Double
    /// Highest portfolio equity since the last (re)start of trading, for the portfolio drawdown stop.
    public var peak: Double
    /// The portfolio drawdown stop fired: every pair is stopped until a new version or a re-enable.
    public var portfolioStopped = false
    public var portfolioReason = ""
    /// The first bar the served version booked: where the Live page's "since deployment" starts.
    public var deployedAt: Int64?
    /// The UTC day (its first ms) of the last daily re-screen.
    public var rescreenedDay: Int64?
    /// By pair name.
    public var pairs: [LedgerPair] = []

    public init(modelName: String, modelSource: String, capital: Double) {
        self.modelName = modelName
        self.modelSource = modelSource
        cash = capital
        peak = capital
    }

    /// Cash plus every sleeve's marked equity.
    public var equity: Double { pairs.reduce(cash) { $0 + $1.sleeve.equity } }
}

/// One pair's place in the ledger.
public struct LedgerPair: Codable, Sendable, Equatable {
    public var pair: String
    public var legA: String
    public var legB: String
    /// The version that last traded the pair (the fills and marks carry it).
    public var modelVersion: Int
    public var status: PairStatus = .ok
    public var reason = ""
    public var sleeve: PairSleeve
    /// The position rule's state after the last decided bar: what the pair holds once its pending
    /// decisions are filled.
    public var decided = 0.0
    /// Decisions waiting for their fill bar (`Execution.delayBars` booked bars after the decision).
    public var pending: [PendingDecision] = []
    public var openTrade: OpenTrade?
    /// The legs' closes at the last mark; nil before the pair's first price.
    public var closeA: Double?
    public var closeB: Double?
    /// The last bar the pair was booked at, and its equity before that bar's fill: the base of that
    /// bar's return, completed by the next mark.
    public var lastBar: Int64?
    public var equityBeforeFill: Double?
    /// Highest sleeve equity since the sleeve was (re)set, for the pair's drawdown stop.
    public var peak: Double
    public var monitor: PairMonitor
    /// The pair had no new closed bar at the last booked bar (warned once per spell).
    public var stale = false
    /// Why the last daily re-screen would no longer keep the pair (nil: it would, or it could not
    /// tell); while set the pair is `degraded`, and the next passing re-screen lifts it.
    public var screenFailure: String?

    public init(pair: String, legA: String, legB: String, modelVersion: Int, expectation: TradeExpectation?) {
        self.pair = pair
        self.legA = legA
        self.legB = legB
        self.modelVersion = modelVersion
        sleeve = PairSleeve(equity: 0)
        peak = 0
        monitor = PairMonitor(expectation: expectation)
    }
}

/// A decision of the position rule, waiting for its fill.
public struct PendingDecision: Codable, Sendable, Equatable {
    public var decidedAt: Int64
    public var position: Double
    /// The hedge ratio of the decision's bar: the one the fill uses.
    public var beta: Double
    /// Booked bars of the pair until the fill is due (0: due now).
    public var barsLeft: Int
    /// Why the decision was made when not by the position rule (a stop, a dropped pair).
    public var reason: String?
}
