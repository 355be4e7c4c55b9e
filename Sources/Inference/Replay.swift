import Basics
import Foundation
import Logging
import MarketData
import ModelFormat
import PairResearch
import Portfolio
import Store

/// What a replay booked.
public struct ReplayResult: Sendable {
    public struct PairFigures: Sendable {
        public var pair: String
        public var bars: Int
        public var trades: Int
        /// Compounded over the replay's completed bars, after costs.
        public var cumulativeReturn: Double
        public var status: String
    }

    public var since: Int64
    public var until: Int64
    public var modelVersion: Int
    public var rowsScored: Int
    public var barsBooked: Int
    public var fills: Int
    public var equity: Double
    public var capital: Double
    public var pairs: [PairFigures]
    public var ledgerPath: String
    public var seconds: Double
    /// Bars where a cap sized an entry down, and the pairs' state changes: where the replay may
    /// differ from the backtest, which has neither.
    public var cappedBars = 0
    public var events: [LedgerEvent] = []

    public var lines: [String] {
        [
            "replay \(UTCTime.format(since)) .. \(UTCTime.format(until)): model v\(modelVersion), \(rowsScored) rows scored, "
                + "\(barsBooked) bars booked, \(fills) fills, equity \(String(format: "%.2f", equity)) from \(String(format: "%.2f", capital)) "
                + "in \(String(format: "%.1f", seconds)) s; ledger \(ledgerPath)"
        ]
            + pairs.map {
                "  \($0.pair): \($0.trades) trades, return \(String(format: "%.4f%%", $0.cumulativeReturn * 100)) over \($0.bars) bars, \($0.status)"
            }
            + (cappedBars > 0
                ? ["  caps (--max-symbol-weight, --max-gross) sized entries down at \(cappedBars) bars"] : [])
            + (events.isEmpty ? [] : ["  \(events.count) pair state changes (stops, monitor): see ledger_events"])
    }
}

extension InferenceCycle {
    /// Drives the live cycle's booking over stored bars from `since` to `until` (open times,
    /// inclusive): every bar's rows are scored by the server (in requests of at most
    /// `options.rowsPerRequest` rows), then booked bar by bar through the same broker, into a
    /// ledger of its own at `ledgerPath` (written beside it and renamed into place when whole;
    /// never the data directory's ledger). Nothing is ingested: a replay sees the stored bars only.
    public func replay(since: Int64, until: Int64, ledgerPath: String, now: Int64 = UTCTime.nowMilliseconds()) throws
        -> ReplayResult
    {
        let started = Date()
        guard since <= until else {
            throw InferenceError.invalidInput(
                "--since \(UTCTime.format(since)) is after --until \(UTCTime.format(until))")
        }
        guard
            URL(fileURLWithPath: ledgerPath).standardizedFileURL.path
                != URL(fileURLWithPath: store.path).standardizedFileURL.path
        else {
            throw InferenceError.invalidInput(
                "--ledger \(ledgerPath) is the data directory's store: a replay never writes the live ledger")
        }
        let (model, _, timeframe, definition, pairs) = try served()
        let parameters = FeatureParameters(
            betaWindow: model.featureParameters.betaWindow, zWindow: model.featureParameters.zWindow)
        _ = try FeatureStage(store: store).update(pairs: pairs, timeframe: timeframe, parameters: parameters)

        // The window must lie inside what every served pair has stored (after its lags).
        var rows: [Request.Row] = []
        var first = Int64.min, last = Int64.max
        for pair in pairs {
            let stored = try store.featureRows(pair: pair.text, timeframe: timeframe, to: until)
            let dataset = PairDataset(pair: pair.text, rows: stored, definition: definition)
            let all = try store.read { db in try FeatureStage.span(pair: pair.text, timeframe: timeframe, in: db) }
            if let firstScorable = dataset.openTimes.first { first = max(first, firstScorable) } else { first = .max }
            last = min(last, all.last ?? .min)
            let width = dataset.featureNames.count
            for index in dataset.openTimes.indices where dataset.openTimes[index] >= since {
                let values: [Any] = [pair.text] + (0..<width).map { dataset.features[index * width + $0] }
                rows.append(.init(pair: pair, feature: stored[index + definition.lagFeatures], values: values))
            }
        }
        guard first <= last, since >= first, until <= last else {
            let range = first <= last ? "\(UTCTime.format(first)) .. \(UTCTime.format(last))" : "none"
            throw InferenceError.invalidInput(
                """
                the replay window \(UTCTime.format(since)) .. \(UTCTime.format(until)) is outside the stored \(timeframe) bars: \
                every served pair can be replayed over \(range)
                """)
        }
        let request = Request(columns: ["pair"] + definition.featureNames, rows: rows)
        let (predictions, _) = try score(request)
        let records = try signals(from: predictions, request: request, model: model, timeframe: timeframe, now: now)

        let directory = (ledgerPath as NSString).deletingLastPathComponent
        let temporary = (directory as NSString).appendingPathComponent(
            ".tmp-\((ledgerPath as NSString).lastPathComponent)-\(getpid())")
        var result = ReplayResult(
            since: since, until: until, modelVersion: model.version, rowsScored: records.count, barsBooked: 0, fills: 0,
            equity: 0, capital: options.aggregation.equity, pairs: [], ledgerPath: ledgerPath, seconds: 0)
        func files(_ body: () throws -> Void) throws {
            do { try body() } catch {
                throw InferenceError.cannotWrite("replay ledger \(ledgerPath): \(FileWriteError.reason(error))")
            }
        }
        try files {
            try FileManager.default.createDirectory(
                atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: temporary + suffix) }
        }
        try bookReplay(records, model: model, timeframe: timeframe, path: temporary, into: &result)
        try files {
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: ledgerPath + suffix) }
            if FileManager.default.fileExists(atPath: ledgerPath) {
                try FileManager.default.removeItem(atPath: ledgerPath)
            }
            try FileManager.default.moveItem(atPath: temporary, toPath: ledgerPath)
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: temporary + suffix) }
        }
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    /// Books into a store of its own that is closed (and checkpointed into one file) on return.
    private func bookReplay(
        _ records: [SignalRecord], model: ModelMetadata, timeframe: Timeframe, path: String,
        into result: inout ReplayResult
    ) throws {
        let ledger = try DataStore(path: path, schemas: [.portfolio])
        var booking = LedgerBooking(
            bars: store, ledger: ledger, broker: broker(for: model), timeframe: timeframe, model: model,
            modelSource: modelSource)
        booking.rescreen =
            options.limits.degradedStopsEntries ? DailyRescreen.load(store: store, trainingRun: model.trainingRun) : nil
        let outcome = try booking.book(records, transactionBars: 2_000)
        for warning in Set(outcome.booked.flatMap(\.warnings)).sorted() { logger.warning("replay: \(warning)") }
        for event in outcome.booked.flatMap(\.events) where event.reason != "version \(model.version) deployed" {
            logger.notice(
                "replay: \(event.pair.isEmpty ? "portfolio" : event.pair) \(event.from) -> \(event.to) at \(UTCTime.format(event.openTime)): \(event.reason)"
            )
        }
        result.barsBooked = outcome.booked.count
        result.cappedBars = outcome.booked.filter(\.capped).count
        result.events = outcome.booked.flatMap(\.events).filter { $0.reason != "version \(model.version) deployed" }
        result.fills = outcome.booked.reduce(0) { $0 + $1.fills.count }
        result.equity = outcome.state.equity
        result.pairs = try ledger.read { db in
            try outcome.state.pairs.map { pair in
                let returns = try LedgerRecords.returns(pair: pair.pair, in: db)
                return ReplayResult.PairFigures(
                    pair: pair.pair, bars: returns.count,
                    trades: try LedgerRecords.trades(pair: pair.pair, in: db).count,
                    cumulativeReturn: returns.reduce(1) { $0 * (1 + $1.ret) } - 1, status: pair.status.rawValue)
            }
        }
        // One file to rename: the WAL folded into it before the store closes.
        try ledger.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }
}
