import CLISupport
import ArgumentParser
import Foundation
import HTTPClient
import Logging
import MarketData
import Basics

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store OHLCV bars from the synthetic market, Binance or a CSV file.",
        discussion: """
            Only closed bars are stored. Re-running an ingest changes nothing; bars that differ from \
            the stored ones are updated. All bars of one run are written in one transaction: on any \
            error the store is left as it was.

            Examples:
              mntrading ingest --source synthetic --timeframe 1h --since 2024-06-01
              mntrading ingest --source binance --symbols BTCUSDT,ETHUSDT --timeframe 5m --since 2025-01-01
              mntrading ingest --source csv --symbols BTCUSDT --timeframe 1h --csv btc_1h.csv
            """
    )

    @OptionGroup var location: LocationOptions

    @OptionGroup(title: "Bar source") var bars: BarSourceOptions

    @Option(
        help: ArgumentHelp(
            "Comma-separated exchange symbols, e.g. BTCUSDT,ETHUSDT. Synthetic: default all of its symbols.",
            valueName: "A,B"))
    var symbols: String?

    @Option(help: "Bar length: 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d (synthetic: multiples of 5m).")
    var timeframe: String = "1h"

    @Option(
        help: ArgumentHelp(
            "First bar open time, ISO-8601 UTC or epoch ms (default: 90 days before --until; csv: the whole file).",
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

    static let sources: [BarSource] = [.synthetic, .binance, .csv]
    var source: BarSource { bars.source }

    func validate() throws {
        _ = try bars.settings(allowed: Self.sources, command: "mntrading ingest")
        _ = try parseTimeframe(timeframe)
        if source == .csv && csv == nil { throw ValidationError("--source csv needs --csv PATH") }
        if source != .csv && csv != nil { throw ValidationError("--csv is only for --source csv") }
        if source != .synthetic && symbols == nil {
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
        let timeframe = try parseTimeframe(timeframe)
        let now = UTCTime.nowMilliseconds()
        let untilTime = try until.map { try parseTime($0, flag: "--until") } ?? now
        // A CSV file is what the user has: all of it, unless told otherwise.
        let sinceTime =
            try since.map { try parseTime($0, flag: "--since") } ?? (source == .csv ? 0 : untilTime - 90 * 86_400_000)
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
        } else {
            symbolList = try parseSymbols(symbols!)
        }
        guard let ingestSource = try settings.ingestSource() else {
            throw ValidationError("--source none has nothing to ingest")
        }

        let store = try locations.openProjectStore()
        let request = IngestRequest(
            symbols: symbolList, timeframe: timeframe, since: sinceTime, until: untilTime, fillGaps: fillGaps)
        let summary = try Ingestor(store: store).run(ingestSource, request, now: now, progress: .terminal())
        if let market {
            try locations.writeGroundTruth(of: market)
        }
        for report in summary.gaps where !report.isEmpty {
            logger.notice("\(report)")
        }
        print(summary.line)
    }
}
