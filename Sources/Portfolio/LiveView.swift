import Backtest
import Foundation
import GRDB
import MarketData
import ModelFormat
import Store

/// What the dashboard's Live page and the report show of the paper ledger, gathered once.
public struct LiveView: Sendable {
    public var state: LedgerState
    /// The portfolio's equity at each booked bar since the served version was deployed.
    public var equity: [PortfolioMark]
    /// The band the deployed pairs' out-of-fold trades imply for that equity (`expectedBand`).
    public var band: [(time: Int64, expected: Double, lower: Double, upper: Double)]
    public var fills: [LedgerFill]
    public var events: [LedgerEvent]
    public var profitAndLoss: [(pair: String, modelVersion: Int, pnl: Double, costs: Double)]
    public var trades: [LedgerTrade]

    /// nil for a ledger that booked nothing.
    public static func load(_ db: Database, fills: Int = 50, events: Int = 50) throws -> LiveView? {
        guard let state = try LedgerRecords.state(db) else { return nil }
        let marks = try LedgerRecords.portfolio(in: db)
        let deployed = state.deployedAt ?? marks.first?.openTime ?? 0
        let equity = marks.filter { $0.openTime >= deployed }
        return LiveView(
            state: state, equity: equity,
            band: expectedBand(
                state.pairs.filter { $0.status != .dropped }.map(\.monitor.expectation), start: equity.first,
                times: equity.map(\.openTime)),
            fills: try LedgerRecords.fills(limit: fills, in: db),
            events: try LedgerRecords.events(limit: events, in: db),
            profitAndLoss: try LedgerRecords.profitAndLoss(in: db), trades: try LedgerRecords.trades(in: db))
    }

    /// Expected equity and a ±2σ band from the pairs' out-of-fold trades: each pair's trades as a
    /// compound Poisson process (λ trades a day of mean μ and standard deviation σ: λμ a day,
    /// variance λ(σ² + μ²) a day), the pairs in equal sleeves and independent, so the portfolio's
    /// daily mean is the pairs' average and its variance the pairs' sum over N². Pairs without an
    /// expectation count as earning nothing with no spread; no pair with one, no band.
    public static func expectedBand(_ expectations: [TradeExpectation?], start: PortfolioMark?, times: [Int64])
        -> [(time: Int64, expected: Double, lower: Double, upper: Double)]
    {
        guard let start, !expectations.isEmpty, expectations.contains(where: { $0 != nil }) else { return [] }
        let n = Double(expectations.count)
        let known = expectations.compactMap { $0 }
        let mean = known.reduce(0) { $0 + $1.tradesPerDay * $1.meanReturn } / n
        let variance =
            known.reduce(0) {
                $0 + $1.tradesPerDay * ($1.standardDeviation * $1.standardDeviation + $1.meanReturn * $1.meanReturn)
            } / (n * n)
        return times.map { time in
            let days = Double(time - start.openTime) / 86_400_000
            let spread = 2 * (variance * days).squareRoot()
            return (
                time, start.equity * (1 + mean * days), start.equity * (1 + mean * days - spread),
                start.equity * (1 + mean * days + spread)
            )
        }
    }

    public var drawdown: Double { state.peak > 0 ? 1 - state.equity / state.peak : 0 }
}
