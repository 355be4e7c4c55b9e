import CLISupport
import ArgumentParser
import Foundation
import HTTPClient
import Logging
import MarketData
import Basics

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store OHLCV bars from the synthetic market, Binance, a CSV file or a directory of candle files.",
        discussion: """
            Only closed bars are stored. Re-running an ingest changes nothing; bars that differ from \
            the stored ones are updated. All bars of one run are written in one transaction: on any \
            error the store is left as it was.

            Examples:
              mntrading ingest --source synthetic --timeframe 1h --since 2024-06-01
              mntrading ingest --source binance --symbols BTCUSDT,ETHUSDT --timeframe 5m --since 2025-01-01
              mntrading ingest --source csv --symbols BTCUSDT --timeframe 1h --csv btc_1h.csv
              mntrading ingest --source files --data-from ~/candles            # every symbol and timeframe there
              mntrading ingest --source archive --data-from ~/binance-data --symbols BTCUSDT,ETHUSDT --timeframe 5m

            A directory (--source files) holds one file per symbol and timeframe, each in one of: our \
            CSV with a header (SYMBOL_5m.csv), the exchange's headerless 12-column kline CSV (open time \
            in ms or µs), the exchange's monthly and daily zip archives (SYMBOL-5m-2024-01.zip, with \
            the .CHECKSUM beside it verified when present; a bar in both a monthly and a daily archive \
            counts once), or freqtrade's JSON candles (BTC_USDT-5m.json). --source archive reads only \
            the archives. A timeframe asked for without its own files is derived from a shorter one \
            (complete buckets only). The whole run is one transaction: a bad file anywhere leaves the \
            store as it was.
            """
    )

    @OptionGroup var location: LocationOptions

    @OptionGroup(title: "Bar source") var bars: BarSourceOptions

    @Option(
        help: ArgumentHelp(
            "Comma-separated exchange symbols, e.g. BTCUSDT,ETHUSDT. Synthetic: default all of its symbols.",
            valueName: "A,B"))
    var symbols: String?

    @Option(
        help:
            "Bar length: 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d (synthetic: multiples of 5m). Default 1h; files and archive: every timeframe the directory has."
    )
    var timeframe: String?

    @Option(
        help: ArgumentHelp(
            "First bar open time, ISO-8601 UTC or epoch ms (default: 90 days before --until; csv, files, archive: all of them).",
            valueName: "time"))
    var since: String?

    @Option(
        help: ArgumentHelp("Keep bars closed by this time, ISO-8601 UTC or epoch ms (default: now).", valueName: "time")
    )
    var until: String?

    @Option(
        help: ArgumentHelp(
            "CSV file with a header row (open_time,open,high,low,close,volume) for --source csv.", valueName: "path"))
    var csv: String?

    @Flag(help: "Fill missing bars with the previous close and zero volume (marked as filled in the store).")
    var fillGaps = false

    @Option(
        help: ArgumentHelp("Seconds allowed to connect to the exchange.", valueName: "s"),
        transform: NumberRule.seconds.parse)
    var timeoutConnect: Double = 10

    @Option(
        help: ArgumentHelp("Seconds allowed for one exchange request.", valueName: "s"),
        transform: NumberRule.seconds.parse)
    var timeoutRead: Double = 30

    @Option(
        help: ArgumentHelp(
            "Attempts per exchange request (retries on connection errors, 5xx, 418/429).", valueName: "n"),
        transform: NumberRule.attempts.parse)
    var attempts: Int = 5

    static let sources: [BarSource] = [.synthetic, .binance, .csv, .files, .archive]
    var source: BarSource { bars.source }
    /// Sources that hold what the user has: all of it, unless told otherwise.
    var readsFiles: Bool { [.csv, .files, .archive].contains(source) }

    func validate() throws {
        _ = try bars.settings(allowed: Self.sources, command: "mntrading ingest")
        _ = try timeframe.map { try parseTimeframe($0) }
        if source == .csv && csv == nil { throw ValidationError("--source csv needs --csv PATH") }
        if source != .csv && csv != nil { throw ValidationError("--csv is only for --source csv") }
        if source == .binance || source == .csv, symbols == nil {
            throw ValidationError("--source \(source.rawValue) needs --symbols")
        }
        _ = try symbols.map { try parseSymbols($0) }
        _ = try since.map { try parseTime($0, flag: "--since") }
        _ = try until.map { try parseTime($0, flag: "--until") }
    }

    func run() throws {
        // Never beside a pipeline or another batch stage over the same data directory.
        try location.locations.holdingBatchLock("mntrading ingest") { try runHoldingLock() }
    }

    private func runHoldingLock() throws {
        location.bootstrapLogging()
        let logger = Logger(label: "mntrading.ingest")
        let locations = location.locations
        let now = UTCTime.nowMilliseconds()
        let untilTime = try until.map { try parseTime($0, flag: "--until") } ?? now
        let sinceTime =
            try since.map { try parseTime($0, flag: "--since") } ?? (readsFiles ? 0 : untilTime - 90 * 86_400_000)
        if sinceTime >= untilTime {
            throw ValidationError(
                "--since \(UTCTime.format(sinceTime)) is not before --until \(UTCTime.format(untilTime))")
        }

        var settings = try bars.settings(allowed: Self.sources, command: "mntrading ingest")
        settings.csvPath = csv
        settings.connectTimeout = timeoutConnect
        settings.readTimeout = timeoutRead
        settings.attempts = attempts
        let market = settings.market
        let symbolList: [String]
        if let market {
            symbolList = try symbols.map { try parseSymbols($0) } ?? market.symbols
            try market.validate(symbols: symbolList)
            if sinceTime < SyntheticMarket.origin {
                logger.notice(
                    "the synthetic market starts at \(UTCTime.format(SyntheticMarket.origin)); nothing earlier exists")
            }
        } else if let symbols {
            symbolList = try parseSymbols(symbols)
        } else {
            symbolList = []
        }
        guard let ingestSource = try settings.ingestSource() else {
            throw ValidationError("--source store has nothing to ingest")
        }
        let chosen = try timeframe.map { try parseTimeframe($0) }
        var requests: [IngestRequest]
        if case let .files(directory) = ingestSource {
            requests = try Self.requests(
                directory, symbols: symbolList, timeframe: chosen, since: sinceTime, until: untilTime)
        } else {
            requests = [
                IngestRequest(symbols: symbolList, timeframe: chosen ?? .h1, since: sinceTime, until: untilTime)
            ]
        }
        for index in requests.indices { requests[index].fillGaps = fillGaps }

        let store = try locations.openProjectStore()
        let summaries = try Ingestor(store: store).run(ingestSource, requests, now: now, progress: .terminal())
        if let market {
            try locations.writeGroundTruth(of: market)
        }
        for summary in summaries {
            for report in summary.gaps where !report.isEmpty {
                logger.notice("\(report)")
            }
            print(summary.line)
        }
    }

    /// A directory's requests: the symbols and timeframe asked for (a symbol without files of it
    /// derives it or fails, naming itself), or else every timeframe the directory has, each for the
    /// symbols with files of it.
    static func requests(
        _ directory: CandleDirectory, symbols: [String], timeframe: Timeframe?, since: Int64, until: Int64
    ) throws -> [IngestRequest] {
        try directory.require(symbols)
        let wanted = symbols.isEmpty ? directory.symbols : symbols
        guard !wanted.isEmpty else {
            throw MarketDataError.invalidData("\(directory.root) holds no candle files")
        }
        if let timeframe {
            return [IngestRequest(symbols: wanted, timeframe: timeframe, since: since, until: until)]
        }
        let timeframes = Set(wanted.flatMap { directory.timeframes(of: $0) }).sorted {
            $0.milliseconds < $1.milliseconds
        }
        return timeframes.map { timeframe in
            IngestRequest(
                symbols: wanted.filter { directory.timeframes(of: $0).contains(timeframe) }, timeframe: timeframe,
                since: since, until: until)
        }
    }
}
