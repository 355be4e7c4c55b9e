import Foundation
import GRDB
import Logging
import Store

public struct Ingestor: Sendable {
    public let store: DataStore

    public init(store: DataStore) { self.store = store }

    /// Fetches every series, then writes them all in one transaction: a failure anywhere (a bad
    /// CSV row, an exchange error, a full disk) leaves the store unchanged.
    public func run(
        _ source: IngestSource, _ request: IngestRequest, now: Int64 = UTCTime.nowMilliseconds(),
        progress: ProgressReporter = .silent
    ) throws -> IngestSummary {
        guard request.since < request.until else {
            throw MarketDataError.invalidArgument(
                "--since \(UTCTime.format(request.since)) is not before --until \(UTCTime.format(request.until))")
        }
        let logger = Logger(label: "mntrading.ingest")
        let fetchStarted = Date()
        let closedBy = min(request.until, now)
        var summary = IngestSummary(source: source.name, timeframe: request.timeframe, symbols: request.symbols)
        var fetched: [BarSeries] = []

        switch source {
        case let .synthetic(market):
            try market.validate(symbols: request.symbols)
            progress.start("generating \(request.symbols.count) synthetic series", total: 1)
            let lastOpen = closedBy - request.timeframe.milliseconds
            fetched = try market.series(
                symbols: request.symbols, timeframe: request.timeframe,
                from: request.since, to: lastOpen + 1)
            summary.received = fetched.reduce(0) { $0 + $1.bars.count }
            progress.advance(to: 1)
        case let .binance(client):
            let span = Double(max(1, request.until - request.since))
            progress.start(
                "downloading \(request.symbols.count) symbol\(request.symbols.count == 1 ? "" : "s") from binance",
                total: request.symbols.count * 1000)
            for (index, symbol) in request.symbols.enumerated() {
                let result = try client.klines(
                    symbol: symbol, timeframe: request.timeframe, from: request.since,
                    to: request.until, now: closedBy
                ) { newest in
                    progress.advance(to: index * 1000 + Int(Double(newest - request.since) / span * 1000))
                }
                summary.received += result.bars.count
                summary.openBarsDropped += result.openBarsDropped
                fetched.append(BarSeries(symbol: symbol, timeframe: request.timeframe, bars: result.bars))
                progress.advance(to: (index + 1) * 1000)
            }
        case let .csv(path):
            guard request.symbols.count == 1 else {
                throw MarketDataError.invalidArgument(
                    "CSV import takes one file per symbol: name exactly one symbol with --symbols (got \(request.symbols.count))"
                )
            }
            let all = try BarCSV.read(path: path, timeframe: request.timeframe)
            summary.received = all.count
            let inRange = all.filter { $0.openTime >= request.since && $0.openTime < request.until }
            summary.outsideWindow = all.count - inRange.count
            summary.window = [request.since, request.until]
            let closed = inRange.filter { $0.openTime + request.timeframe.milliseconds <= closedBy }
            summary.openBarsDropped = inRange.count - closed.count
            fetched = [BarSeries(symbol: request.symbols[0], timeframe: request.timeframe, bars: closed)]
        }
        progress.finish()

        // One place for every source: an exchange can repeat a bar across pages, a CSV across lines.
        for index in fetched.indices {
            let collapsed = collapseDuplicates(fetched[index].bars)
            summary.duplicates += collapsed.duplicates
            fetched[index].bars = collapsed.bars
        }
        let rangeEnd = closedBy - request.timeframe.milliseconds
        let writeStarted = Date()
        logger.debug("fetched \(summary.received) bars in \(Self.seconds(since: fetchStarted))")
        defer { logger.debug("stored and checked in \(Self.seconds(since: writeStarted))") }
        try store.write { db in
            for series in fetched {
                let result = try DataStore.upsert(series, in: db)
                summary.inserted += result.inserted
                summary.updated += result.updated
                summary.unchanged += result.unchanged
                if request.fillGaps {
                    let stored = try DataStore.fetchBars(
                        symbol: series.symbol, timeframe: series.timeframe,
                        from: request.since, to: rangeEnd, in: db)
                    let fillers = Gaps.fillers(for: stored, timeframe: series.timeframe)
                    if !fillers.isEmpty {
                        let filled = try DataStore.upsert(
                            BarSeries(symbol: series.symbol, timeframe: series.timeframe, bars: fillers), in: db)
                        summary.filled += filled.inserted
                    }
                }
                summary.gaps.append(
                    try DataStore.gapReport(
                        symbol: series.symbol, timeframe: series.timeframe,
                        from: request.since, to: rangeEnd, in: db))
            }
        }
        return summary
    }

    static func seconds(since start: Date) -> String {
        String(format: "%.3f s", Date().timeIntervalSince(start))
    }
}
