import Foundation
import HTTPClient
import Logging
import MarketData
import ModelFormat
import PairResearch
import Portfolio
import Basics
import Store

public struct InferenceOptions: Sendable {
    /// Where a cycle's newest bars come from: synthetic (extended up to now), binance, or none
    /// (whatever the store already holds; another process ingests).
    public var bars = BarSourceSettings()
    /// Newest rows per pair in each request (1 = only the newest closed bar).
    public var nLast = 1
    public var warmup = false
    public var warmupTimeout = 120.0
    public var aggregation = AggregationParameters()
    /// The paper ledger's drawdown stops.
    public var limits = RiskLimits()
    /// Most rows in one /invocations request (a catch-up or a replay scores many bars).
    public var rowsPerRequest = 2_000
    /// Test hook: the cycle stops for good at this checkpoint (`signals-inserted`, `signals`,
    /// `aggregate`), so a test can kill it -9 between two of its writes.
    package var pauseAt: String?

    public init() {}
}
