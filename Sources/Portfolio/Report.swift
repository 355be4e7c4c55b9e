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
    /// The served pairs' equal-weight portfolio, as training states its portfolio: every bar's
    /// figures, and a sampled curve for the charts. Absent for runs that stored no per-bar returns.
    public var portfolioEquity: [EquityPoint]
    public var portfolioResult: BacktestResult?

    public var isSynthetic: Bool { dataSource == "synthetic" }
}

/// `summary.json`: the report's numbers for machines (and for tests that compare them with the store).
public struct ReportSummary: Codable, Sendable, Equatable {
    public struct SignalCounts: Codable, Sendable, Equatable {
        public var pairs: Int
        public var long: Int
        public var short: Int
        public var flat: Int
        public var stale: [String]
    }

    public struct OrderSummary: Codable, Sendable, Equatable {
        public var count: Int
        public var pairs: Int
        public var gross: Double
        public var net: Double
        public var legsGross: Double
        public var perSymbol: [SymbolExposure]
        public var capped: Bool
    }

    public struct BacktestSummary: Codable, Sendable, Equatable {
        public var trainingRun: String
        public var portfolio: BacktestResult?
        public var pairs: [PairResult]
    }

    public struct PairResult: Codable, Sendable, Equatable {
        public var pair: String
        public var result: BacktestResult?
    }

    public var asOf: String
    public var asOfMs: Int64
    public var dataSource: String
    public var modelName: String?
    public var modelVersion: Int?
    public var modelUri: String?
    public var trainingWindow: [String]?
    public var signals: SignalCounts
    public var orders: OrderSummary?
    public var backtest: BacktestSummary?
}

extension ReportData {
    /// Gathers the newest signals, the order book for their bar, the served model's description and
    /// the training run's backtests. A cycle passes the signals and the book it has just made, so
    /// the report shows exactly those; `mntrading report` reads them back from the store and disk.
    /// Data from the embedded synthetic market is recognised by its symbols and labelled as such.
    public static func load(store: DataStore, locations: Locations, model: ModelMetadata?, dataSource: String,
                            latest given: (asOf: Int64, signals: [SignalRecord], stale: [String])? = nil,
                            book givenBook: OrderBook? = nil) throws -> ReportData {
        guard let latest = try given ?? SignalRecords.latest(modelVersion: model?.version, store: store) else {
            throw MarketDataError.invalidArgument("no signals in the store\(model.map { " for model version \($0.version)" } ?? ""); run `mntrading-infer --once` first")
        }
        var book = try givenBook ?? OrderFiles.latest(locations: locations)
        if let current = book, current.asOf != latest.asOf || current.modelVersion != latest.signals.first?.modelVersion {
            book = nil
        }
        let synthetic = Set(SyntheticMarket().symbols)
        let dataSource = latest.signals.allSatisfy { synthetic.contains($0.legA) && synthetic.contains($0.legB) } ? "synthetic" : dataSource
        let pairs = model?.pairs.map(\.pair) ?? latest.signals.map(\.pair)
        let history = try TrainingHistory.load(store: store, runId: model?.trainingRun, pairs: pairs)
        var data = ReportData(asOf: latest.asOf, dataSource: dataSource, model: model, signals: latest.signals, staleSignals: latest.stale,
                              book: book, trainingRun: history?.runId, pairBacktests: history?.pairs ?? [], portfolioEquity: [],
                              portfolioResult: nil)
        if let history, history.pairs.allSatisfy({ !$0.returns.times.isEmpty }),
           let timeframe = try? Timeframe.parse(model?.featureParameters.timeframe ?? latest.signals.first?.timeframe ?? "") {
            let portfolio = Backtest.portfolio(history.pairs.map(\.returns), trades: history.pairs.reduce(0) { $0 + ($1.result?.trades ?? 0) },
                                               barsPerYear: timeframe.barsPerYear)
            data.portfolioResult = portfolio.result
            data.portfolioEquity = portfolio.equity
        }
        return data
    }

    public var summary: ReportSummary {
        let window = model?.trainingWindow
        var summary = ReportSummary(
            asOf: UTCTime.format(asOf), asOfMs: asOf, dataSource: dataSource, modelName: model?.name ?? signals.first?.modelName,
            modelVersion: model?.version ?? signals.first?.modelVersion, modelUri: model?.modelUri,
            trainingWindow: window.map { [$0.first, $0.last] },
            signals: .init(pairs: signals.count, long: signals.filter { $0.signal > 0 }.count, short: signals.filter { $0.signal < 0 }.count,
                           flat: signals.filter { $0.signal == 0 }.count, stale: staleSignals),
            orders: nil, backtest: nil)
        if let book {
            summary.orders = .init(count: book.orders.count, pairs: Set(book.orders.map(\.pair)).count, gross: book.totals.gross,
                                   net: book.totals.net, legsGross: book.totals.legsGross, perSymbol: book.totals.perSymbol, capped: book.capped)
        }
        if let trainingRun {
            let pairs = pairBacktests.map { ReportSummary.PairResult(pair: $0.pair, result: $0.result) }
            summary.backtest = .init(trainingRun: trainingRun, portfolio: portfolioResult, pairs: pairs)
        }
        return summary
    }
}

/// The out-of-fold backtests of a training run, read through the training tables' owner.
struct TrainingHistory {
    var runId: String
    var pairs: [ReportData.PairBacktest]

    static func load(store: DataStore, runId wanted: String?, pairs: [String]) throws -> TrainingHistory? {
        try store.read { db -> TrainingHistory? in
            let runId = try wanted.map { try TrainingRunRecords.completeId(db, $0) } ?? TrainingRunRecords.latestCompleteId(db)
            guard let runId else { return nil }
            let results = try TrainingRunRecords.results(db, runId: runId)
            let returns = try TrainingRunRecords.returns(db, runId: runId, period: .outOfFold)
            var history = TrainingHistory(runId: runId, pairs: [])
            for pair in pairs {
                guard let stored = results[pair] else { continue }
                history.pairs.append(.init(pair: pair, result: stored.backtest, equity: stored.equity, returns: returns[pair] ?? ([], [])))
            }
            return history
        }
    }
}

/// `<data-dir>/portfolio/report_<bar>/`: summary.json, report.md and a self-contained report.html.
/// Built in a temporary directory and renamed into place, so a reader never sees half a report.
public enum ReportWriter {
    @discardableResult
    public static func write(_ data: ReportData, locations: Locations) throws -> String {
        let directory = locations.dataPath("portfolio", "report_\(OrderFiles.stamp(data.asOf))")
        let parent = (directory as NSString).deletingLastPathComponent
        let temporary = (parent as NSString).appendingPathComponent(".\((directory as NSString).lastPathComponent).tmp-\(getpid())")
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
            try? manager.removeItem(atPath: temporary)
            try manager.createDirectory(atPath: temporary, withIntermediateDirectories: true)
            let summary = try ProjectJSON.encoder().encode(data.summary)
            try summary.write(to: URL(fileURLWithPath: temporary + "/summary.json"))
            try ReportRenderer.markdown(data).write(toFile: temporary + "/report.md", atomically: false, encoding: .utf8)
            try ReportRenderer.html(data).write(toFile: temporary + "/report.html", atomically: false, encoding: .utf8)
            // rename(2) cannot replace a non-empty directory: move the old one aside first.
            let old = temporary + ".old"
            try? manager.removeItem(atPath: old)
            if manager.fileExists(atPath: directory) { try manager.moveItem(atPath: directory, toPath: old) }
            guard rename(temporary, directory) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            try? manager.removeItem(atPath: old)
            try AtomicFile.write(Data((directory as NSString).lastPathComponent.utf8), to: locations.dataPath("portfolio", "latest_report"))
        } catch let error as MarketDataError {
            try? manager.removeItem(atPath: temporary)
            throw error
        } catch {
            try? manager.removeItem(atPath: temporary)
            throw MarketDataError.store("cannot write report '\(directory)': \(DataStore.reason(error))")
        }
        return directory
    }
}
