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
        try run(source, [request], now: now, progress: progress)[0]
    }

    /// Several requests (a directory's timeframes, say) in one transaction, one summary each.
    public func run(
        _ source: IngestSource, _ requests: [IngestRequest], now: Int64 = UTCTime.nowMilliseconds(),
        progress: ProgressReporter = .silent
    ) throws -> [IngestSummary] {
        for request in requests {
            guard request.since < request.until else {
                throw MarketDataError.invalidArgument(
                    "--since \(UTCTime.format(request.since)) is not before --until \(UTCTime.format(request.until))")
            }
        }
        if case let .files(directory) = source {
            return try run(directory, requests, now: now, progress: progress)
        }
        let logger = Logger(label: "mntrading.ingest")
        let fetchStarted = Date()
        var fetched: [(request: IngestRequest, series: [BarSeries], summary: IngestSummary)] = []
        for request in requests {
            var (series, summary) = try fetch(source, request, now: now, progress: progress)
            // One place for every source: an exchange can repeat a bar across pages, a CSV across lines.
            for index in series.indices {
                let collapsed = collapseDuplicates(series[index].bars)
                summary.duplicates += collapsed.duplicates
                series[index].bars = collapsed.bars
            }
            fetched.append((request, series, summary))
        }
        let writeStarted = Date()
        logger.debug(
            "fetched \(fetched.reduce(0) { $0 + $1.summary.received }) bars in \(Self.seconds(since: fetchStarted))")
        defer { logger.debug("stored and checked in \(Self.seconds(since: writeStarted))") }
        return try store.write { db in
            try fetched.map { request, series, summary in
                var summary = summary
                for series in series { try Self.write(series, request, now: now, into: &summary, in: db) }
                return summary
            }
        }
    }

    /// A directory's files: each symbol's series is read on a second thread while the one before
    /// it is written (SQLite's insert and the parse each take one core), all in one transaction,
    /// so a bad file anywhere still leaves the store as it was.
    private func run(
        _ directory: CandleDirectory, _ requests: [IngestRequest], now: Int64, progress: ProgressReporter
    ) throws -> [IngestSummary] {
        let jobs = requests.indices.flatMap { index in requests[index].symbols.map { (index, $0) } }
        var summaries = requests.map {
            IngestSummary(source: "files", timeframe: $0.timeframe, symbols: $0.symbols)
        }
        progress.start(
            "reading \(directory.files.count) candle file\(directory.files.count == 1 ? "" : "s") of \(Set(jobs.map(\.1)).count) symbols",
            total: jobs.count)
        defer { progress.finish() }
        let reader = Prefetcher(count: jobs.count) { job in
            let (index, symbol) = jobs[job]
            return try Self.read(symbol, requests[index], from: directory, now: now)
        }
        defer { reader.cancel() }
        var formats = Array(repeating: Set<String>(), count: requests.count)
        try store.write { db in
            for (job, (index, _)) in jobs.enumerated() {
                let (series, counts) = try reader.value(job)
                summaries[index].add(counts)
                formats[index].formUnion(counts.formats)
                try Self.write(series, requests[index], now: now, into: &summaries[index], in: db)
                progress.advance(to: job + 1)
            }
        }
        for index in summaries.indices { summaries[index].formats = formats[index].sorted() }
        return summaries
    }

    /// One symbol's bars of a request from the directory: its files of that timeframe, or the
    /// longest shorter timeframe that divides it, derived; closed bars in the window only.
    static func read(_ symbol: String, _ request: IngestRequest, from directory: CandleDirectory, now: Int64) throws
        -> (BarSeries, IngestSummary)
    {
        var counts = IngestSummary(source: "files", timeframe: request.timeframe, symbols: [symbol])
        let available = directory.timeframes(of: symbol)
        var timeframe = request.timeframe
        if !available.contains(timeframe) {
            guard let shorter = CoarserBars.source(for: timeframe, among: available) else {
                let held = available.isEmpty ? "none" : available.map(\.rawValue).joined(separator: ", ")
                throw MarketDataError.invalidData(
                    "\(symbol): no \(timeframe) candle file in \(directory.root), nor a shorter timeframe that divides \(timeframe) to derive it from (its files: \(held))"
                )
            }
            timeframe = shorter
        }
        let load = try directory.load(symbol: symbol, timeframe: timeframe)
        counts.received = load.received
        counts.duplicates = load.duplicates
        counts.unsorted = load.unsorted
        counts.files = load.files.count
        counts.checksumsVerified = load.checksumsVerified
        counts.checksumsMissing = load.checksumsMissing
        counts.formats = load.files.map(\.format.rawValue)
        var bars = load.bars
        if timeframe != request.timeframe {
            let derived = CoarserBars(bars, from: timeframe, into: request.timeframe)
            counts.derivedFrom = timeframe
            counts.derivedSymbols = 1
            counts.partial = derived.partial
            bars = derived.bars
        }
        let closed = window(bars, request, now: now, into: &counts)
        return (BarSeries(symbol: symbol, timeframe: request.timeframe, bars: closed), counts)
    }

    /// A file holds what the user has: the bars outside the request's window and those not closed
    /// by `now` are counted, not stored.
    static func window(_ bars: [Bar], _ request: IngestRequest, now: Int64, into summary: inout IngestSummary) -> [Bar]
    {
        let closedBy = min(request.until, now)
        let inRange = bars.filter { $0.openTime >= request.since && $0.openTime < request.until }
        summary.outsideWindow += bars.count - inRange.count
        if summary.outsideWindow > 0 { summary.window = [request.since, request.until] }
        let closed = inRange.filter { $0.openTime + request.timeframe.milliseconds <= closedBy }
        summary.openBarsDropped += inRange.count - closed.count
        return closed
    }

    /// Stores one series of a request and adds what it changed, and its gaps, to the summary.
    static func write(
        _ series: BarSeries, _ request: IngestRequest, now: Int64, into summary: inout IngestSummary, in db: Database
    ) throws {
        let rangeEnd = min(request.until, now) - request.timeframe.milliseconds
        let result = try DataStore.upsert(series, in: db)
        summary.inserted += result.inserted
        summary.updated += result.updated
        summary.unchanged += result.unchanged
        if request.fillGaps {
            let stored = try DataStore.fetchBars(
                symbol: series.symbol, timeframe: series.timeframe, from: request.since, to: rangeEnd, in: db)
            let fillers = Gaps.fillers(for: stored, timeframe: series.timeframe)
            if !fillers.isEmpty {
                let filled = try DataStore.upsert(
                    BarSeries(symbol: series.symbol, timeframe: series.timeframe, bars: fillers), in: db)
                summary.filled += filled.inserted
            }
        }
        summary.gaps.append(
            try DataStore.gapReport(
                symbol: series.symbol, timeframe: series.timeframe, from: request.since, to: rangeEnd, in: db))
    }

    /// One request's series as the source gives them, closed bars only.
    private func fetch(
        _ source: IngestSource, _ request: IngestRequest, now: Int64, progress: ProgressReporter
    ) throws -> ([BarSeries], IngestSummary) {
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
            fetched = [
                BarSeries(
                    symbol: request.symbols[0], timeframe: request.timeframe,
                    bars: Self.window(all, request, now: now, into: &summary))
            ]
        case .files:
            preconditionFailure("a directory is read by run(_:_:now:progress:) while it writes")
        }
        progress.finish()
        return (fetched, summary)
    }

    static func seconds(since start: Date) -> String {
        String(format: "%.3f s", Date().timeIntervalSince(start))
    }
}
