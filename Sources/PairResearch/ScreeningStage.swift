import Foundation
import GRDB
import MarketData
import Basics
import Store

/// `mntrading screen`: loads every symbol at the timeframe, screens all pairs, records the run in
/// the store and as `<data-dir>/pairs/screened_pairs_<UTC>.json`.
///
/// A run's id is a fingerprint of its parameters and of the bars it read, so a rerun on unchanged
/// data replaces its own record and file instead of adding a duplicate.
public struct ScreeningStage: Sendable {
    public let store: DataStore
    public let locations: Locations

    public init(store: DataStore, locations: Locations) {
        self.store = store
        self.locations = locations
    }

    /// The newest screening run's id, for the pipeline's fingerprints.
    public static func latestState(_ db: Database) throws -> String {
        try Row.fetchAll(db, sql: "SELECT id FROM screening_runs ORDER BY created_at DESC, id LIMIT 1").map { "\($0)" }
            .joined(separator: "\n")
    }

    public func run(
        _ parameters: ScreeningParameters, now: Int64 = UTCTime.nowMilliseconds(),
        progress: ProgressReporter = .silent
    ) throws -> (run: ScreeningRun, path: String) {
        try parameters.validate()
        let stored = try store.summaries(timeframe: parameters.timeframe).map(\.symbol)
        var symbols = stored
        if let wanted = parameters.symbols {
            let absent = wanted.filter { !stored.contains($0) }
            guard absent.isEmpty else {
                throw MarketDataError.invalidArgument(
                    "no \(parameters.timeframe) bars in the store for \(absent.joined(separator: ", ")); run `mntrading ingest --timeframe \(parameters.timeframe) --symbols \(absent.joined(separator: ","))` first"
                )
            }
            symbols = stored.filter(wanted.contains)
        }
        guard symbols.count >= 2 else {
            throw MarketDataError.invalidArgument(
                "screening needs at least two symbols with \(parameters.timeframe) bars in the store (found \(symbols.count)); run `mntrading ingest --timeframe \(parameters.timeframe)` first"
            )
        }
        let inputs = try symbols.map { symbol in
            Screener.Input(
                symbol: symbol,
                bars: try store.bars(
                    symbol: symbol, timeframe: parameters.timeframe,
                    from: parameters.since ?? .min, to: parameters.until ?? .max))
        }
        let runId = try Self.fingerprint(parameters: parameters, inputs: inputs)
        let outcome = Screener(parameters: parameters).screen(inputs, progress: progress)

        let existing = try store.read { db in
            try Row.fetchOne(db, sql: "SELECT created_at, file FROM screening_runs WHERE id = ?", arguments: [runId])
        }
        // A rerun replaces its own run and file, and becomes the latest: "latest" means the screen
        // run most recently, which is what the stages after it read.
        let createdAt = now
        // The run id in the name too: two screens in one second must not share a file.
        let path: String =
            existing?["file"]
            ?? locations.dataPath("pairs", "screened_pairs_\(UTCTime.compactStamp(createdAt))_\(runId.prefix(8)).json")
        let openTimes = inputs.flatMap { [$0.bars.first?.openTime, $0.bars.last?.openTime] }.compactMap { $0 }
        // The window the screen saw: from its first bar's open to its last bar's close.
        let window = openTimes.min().map { [$0, openTimes.max()! + parameters.timeframe.milliseconds] }
        var run = ScreeningRun(
            runId: runId, createdAt: UTCTime.format(createdAt), timeframe: parameters.timeframe.rawValue,
            parameters: parameters, symbols: symbols, pairsTested: symbols.count * (symbols.count - 1) / 2,
            pairs: outcome.selected, rejected: outcome.rejected)
        run.window = window
        run.windowText = window?.map(UTCTime.format)
        run.rejectedBy = ScreeningRun.tally(outcome.rejected)
        try AtomicFile.write(try ProjectJSON.encoder().encode(run), to: path)
        try store.write { db in
            try db.execute(sql: "DELETE FROM screening_runs WHERE id = ?", arguments: [runId])
            try db.execute(
                sql: """
                    INSERT INTO screening_runs (id, created_at, timeframe, parameters, symbols, pairs_tested, pairs_selected, file,
                        window_start, window_end)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    runId, createdAt, parameters.timeframe.rawValue, try ProjectJSON.string(parameters),
                    symbols.count, run.pairsTested, run.pairs.count, path, run.window?.first, run.window?.last
                ])
            for pair in run.pairs + run.rejected {
                try db.execute(
                    sql: """
                        INSERT INTO screened_pairs (run_id, pair, a, b, selected, reason, beta, alpha, adf_stat, pvalue, lags,
                            half_life, corr, n, crit_1, crit_5, crit_10)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        runId, pair.pair, pair.a, pair.b, pair.selected, pair.reason, pair.beta, pair.alpha,
                        pair.adfStat, pair.pvalue, pair.lags, pair.halfLife, pair.corr, pair.n,
                        pair.crit?.onePercent, pair.crit?.fivePercent, pair.crit?.tenPercent
                    ])
            }
        }
        return (run, path)
    }

    static func fingerprint(parameters: ScreeningParameters, inputs: [Screener.Input]) throws -> String {
        var hash = FNV1a()
        hash.add(try ProjectJSON.string(parameters))
        for input in inputs {
            hash.add(input.symbol)
            for bar in input.bars {
                hash.add(bar.openTime)
                hash.add(bar.close.bitPattern)
            }
        }
        return hash.hex
    }
}
