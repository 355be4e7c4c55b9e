import Foundation
import GRDB
import MarketData
import ModelFormat
import Backtest
import Basics
import Store
import TrainingRecords

/// Everything a report shows, gathered once so the JSON, Markdown and HTML say the same thing.
public struct ReportData: Sendable {
    public struct PairBacktest: Sendable {
        public var pair: String
        public var result: BacktestResult?
        /// The curve stored with the training results (at most 400 points), for the pair's chart.
        public var equity: [EquityPoint]
        /// Every out-of-fold bar's strategy return (empty for runs trained before they were stored).
        public var returns: (times: [Int64], returns: [Double])
    }

    public var asOf: Int64
    public var dataSource: String
    public var model: ModelMetadata?
    public var signals: [SignalRecord]
    public var staleSignals: [String]
    public var book: OrderBook?
    /// The training run whose out-of-fold backtests are shown (nil when this store has none).
    public var trainingRun: String?
    public var pairBacktests: [PairBacktest]
    /// The served pairs' equal-sleeve portfolio (equal capital per pair at the start, never rebalanced), as training states its portfolio: every bar's
    /// figures, and a sampled curve for the charts. Absent for runs that stored no per-bar returns.
    public var portfolioEquity: [EquityPoint]
    public var portfolioResult: BacktestResult?
    /// The paper ledger (nil before its first booked bar).
    public var live: LiveView? = nil

    public var isSynthetic: Bool { dataSource == "synthetic" }
}

extension ReportData {
    /// Gathers the newest signals, the order book for their bar, the served model's description and
    /// the training run's backtests. A cycle passes the signals and the book it has just made, so
    /// the report shows exactly those; `mntrading report` reads them back from the store and disk.
    /// Data from the embedded synthetic market is recognised by its symbols and labelled as such.
    public static func load(
        store: DataStore, locations: Locations, model: ModelMetadata?, dataSource: String,
        latest given: (asOf: Int64, signals: [SignalRecord], stale: [String])? = nil,
        book givenBook: OrderBook? = nil
    ) throws -> ReportData {
        guard let latest = try given ?? SignalRecords.latest(modelVersion: model?.version, store: store) else {
            throw MarketDataError.invalidArgument(
                "no signals in the store\(model.map { " for model version \($0.version)" } ?? ""); run `mntrading-infer --once` first"
            )
        }
        var book = try givenBook ?? OrderFiles.latest(locations: locations)
        if let current = book, current.asOf != latest.asOf || current.modelVersion != latest.signals.first?.modelVersion
        {
            book = nil
        }
        let synthetic = Set(SyntheticMarket().symbols)
        let dataSource =
            latest.signals.allSatisfy { synthetic.contains($0.legA) && synthetic.contains($0.legB) }
            ? "synthetic" : dataSource
        let pairs = model?.pairs.map(\.pair) ?? latest.signals.map(\.pair)
        let history = try TrainingHistory.load(store: store, runId: model?.trainingRun, pairs: pairs)
        var data = ReportData(
            asOf: latest.asOf, dataSource: dataSource, model: model, signals: latest.signals,
            staleSignals: latest.stale,
            book: book, trainingRun: history?.runId, pairBacktests: history?.pairs ?? [], portfolioEquity: [],
            portfolioResult: nil, live: try store.read { db in try LiveView.load(db, fills: 20, events: 20) })
        if let history, history.pairs.allSatisfy({ !$0.returns.times.isEmpty }),
            let timeframe = try? Timeframe.parse(
                model?.featureParameters.timeframe ?? latest.signals.first?.timeframe ?? "")
        {
            let portfolio = Backtest.portfolio(
                history.pairs.map(\.returns), trades: history.pairs.reduce(0) { $0 + ($1.result?.trades ?? 0) },
                barsPerYear: timeframe.barsPerYear)
            data.portfolioResult = portfolio.result
            data.portfolioEquity = portfolio.equity
        }
        return data
    }

    public var summary: ReportSummary {
        let window = model?.trainingWindow
        var summary = ReportSummary(
            asOf: UTCTime.format(asOf), asOfMs: asOf, dataSource: dataSource,
            modelName: model?.name ?? signals.first?.modelName,
            modelVersion: model?.version ?? signals.first?.modelVersion, modelUri: model?.modelUri,
            trainingWindow: window.map { [$0.first, $0.last] },
            signals: .init(
                pairs: signals.count, long: signals.filter { $0.signal > 0 }.count,
                short: signals.filter { $0.signal < 0 }.count,
                flat: signals.filter { $0.signal == 0 }.count, stale: staleSignals),
            orders: nil, backtest: nil)
        if let book {
            summary.orders = .init(
                count: book.orders.count, pairs: Set(book.orders.map(\.pair)).count, gross: book.totals.gross,
                net: book.totals.net, legsGross: book.totals.legsGross, perSymbol: book.totals.perSymbol,
                capped: book.capped)
        }
        if let live {
            summary.ledger = .init(
                equity: live.state.equity, drawdown: live.drawdown, newestBar: live.state.newestBar.map(UTCTime.format),
                portfolioStopped: live.state.portfolioStopped,
                pairs: live.state.pairs.map {
                    .init(
                        pair: $0.pair, status: $0.status.rawValue, position: $0.sleeve.position,
                        equity: $0.sleeve.equity, reason: $0.reason)
                })
        }
        if let trainingRun {
            let pairs = pairBacktests.map { ReportSummary.PairResult(pair: $0.pair, result: $0.result) }
            summary.backtest = .init(trainingRun: trainingRun, portfolio: portfolioResult, pairs: pairs)
        }
        return summary
    }
}
