import ArgumentParser
import CLISupport
import Foundation
import Inference
import Logging
import MarketData
import ModelFormat
import Portfolio
import Basics
import Store

@main
struct Infer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mntrading-infer",
        abstract:
            "Score the newest closed bars on a running mntrading-serve and turn the answers into orders and a report.",
        discussion: """
            One cycle: ask the server's /metadata for pairs and feature columns, ingest the newest \
            closed bars of every leg (--source), update the features incrementally (the training \
            code), POST one dataframe_split request to /invocations, store the signals (table signals \
            and <data-dir>/signals/signals_<day>.jsonl, unique per pair, bar and model version), \
            book every new bar into the paper ledger (fills, positions, P&L: the backtest's position rule and sizing, \
            in the same transaction as the signals), write what the ledger holds as orders \
            (<data-dir>/portfolio/orders_<bar>.json|csv and latest_orders.json) and a report \
            (<data-dir>/portfolio/report_<bar>/report.html). A rerun of a booked bar books nothing.

            Replay stored bars through the same cycle into a ledger of its own:
              mntrading-infer --server http://127.0.0.1:5001 --replay --since 2024-06-01 --until 2024-06-30T23:55:00Z

            Run once (cron) or on a timer:
              mntrading-infer --server http://127.0.0.1:5001 --once
              mntrading-infer --server http://127.0.0.1:5001 --every 5m --delay 10s

            Exit codes: 0 done (also after SIGTERM, which lets the cycle in progress finish); \
            64 bad flags; 65 the data cannot feed the model (or the ledger belongs to another model, or the newest bar is before \
            the ledger's newest booked bar: nothing written); 69 server down, timing out or 5xx after \
            the retries; 74 the data directory or store cannot be written; 75 another cycle holds the lock; 76 the server refused the request (4xx) or \
            answered outside the protocol or the model's own rule (signal, proba, threshold, model version: nothing written). An answer is read \
            up to 1 KiB a row asked (/metadata up to 16 MiB); a larger one is 76. With --every a failed cycle is logged and the timer goes on.
            """,
        version: "mntrading-infer \(ProductVersion.current)"
    )

    @OptionGroup var location: LocationOptions

    // --serving-url: what the origin system's client calls it.
    @Option(
        name: [.customLong("server"), .customLong("serving-url")],
        help: ArgumentHelp(ServerURLOption.help, valueName: "url"))
    var server: String?

    @OptionGroup(title: "Bar source (the newest bars)") var bars: BarSourceOptions

    @Option(
        help: ArgumentHelp("Newest rows per pair in each request.", valueName: "n"),
        transform: NumberRule.whole(1...10_000, unit: "rows").parse)
    var nLast: Int = 1

    @Option(
        help: ArgumentHelp("Seconds allowed to connect to the server.", valueName: "s"),
        transform: NumberRule.seconds.parse)
    var timeoutConnect: Double = 5

    @Option(
        help: ArgumentHelp("Seconds allowed for the server's answer.", valueName: "s"),
        transform: NumberRule.seconds.parse)
    var timeoutRead: Double = 30

    @Option(
        help: ArgumentHelp(
            "Attempts per request; connection errors, timeouts, 429 and 5xx are retried with backoff and jitter, other 4xx never.",
            valueName: "n"), transform: NumberRule.attempts.parse)
    var attempts: Int = 4

    @Flag(help: "Wait for the server's /ping and send one tiny request before the cycle.")
    var warmup = false

    @Option(
        help: ArgumentHelp("Longest wait for /ping with --warmup.", valueName: "s"), transform: NumberRule.seconds.parse
    )
    var warmupTimeout: Double = 120

    @Flag(help: "Run one cycle and exit (the default).")
    var once = false

    @Option(
        help: ArgumentHelp(
            "Run a cycle at every bar close of this period, e.g. 5m (plus --delay); the first cycle runs at start.",
            valueName: "period"))
    var every: String?

    @Option(
        help: ArgumentHelp(
            "Wait after each bar close before the cycle, so the exchange has the bar.", valueName: "duration"))
    var delay: String = "10s"

    @OptionGroup(title: "Aggregation") var aggregation: AggregationOptions

    @Option(
        help: ArgumentHelp(
            "Paper ledger: a pair whose sleeve falls this far below its peak is flattened and opens nothing more until a new model version or `mntrading ledger enable`.",
            valueName: "fraction"), transform: NumberRule.drawdown.parse)
    var maxDrawdown: Double = RiskLimits().maxDrawdown

    @Option(
        help: ArgumentHelp("Paper ledger: the same stop for the whole portfolio (every pair).", valueName: "fraction"),
        transform: NumberRule.drawdown.parse)
    var maxPortfolioDrawdown: Double = RiskLimits().maxPortfolioDrawdown

    @Flag(
        help:
            "Paper ledger: a pair the monitor calls degraded keeps opening positions (the monitor only reports) and no daily re-screen runs; a replay that must reproduce the backtest sets it, with both drawdown stops at 1."
    )
    var monitorOnly = false

    @Flag(
        help:
            "Replay stored bars from --since to --until through the same cycle, bar by bar, into a ledger of its own (--ledger); nothing is ingested."
    )
    var replay = false

    @Option(
        help: ArgumentHelp(
            "With --replay: the first bar (open time, UTC), e.g. 2024-06-01 or 2024-06-01T12:00:00Z.", valueName: "time"
        ))
    var since: String?

    @Option(help: ArgumentHelp("With --replay: the last bar (open time, UTC, inclusive).", valueName: "time"))
    var until: String?

    @Option(
        help: ArgumentHelp(
            "With --replay: the replay's ledger (default <data-dir>/replays/replay_<since>_<until>.sqlite); replaced when the replay is whole.",
            valueName: "path"))
    var ledger: String?

    @Option(help: .hidden) var pauseAt: String?

    /// --server, else MNTRADING_SERVER_URL, else the local default.
    var serverURL: String { ServerURLOption.url(server) }

    static let sources: [BarSource] = [.synthetic, .binance, .store]

    func validate() throws {
        _ = try bars.settings(allowed: Self.sources, command: "mntrading-infer")
        if once && every != nil { throw ValidationError("--once and --every exclude each other") }
        if let every, (CycleSchedule.parseDuration(every) ?? 0) < 1000 {
            throw ValidationError("--every '\(every)' is not a period from 1 s to 366 d (e.g. 5m, 1h)")
        }
        if CycleSchedule.parseDuration(delay) == nil {
            throw ValidationError("--delay '\(delay)' is not a duration up to 366 d (e.g. 10s)")
        }
        if replay {
            guard let since, let until else {
                throw ValidationError(
                    "--replay needs --since and --until as UTC times (e.g. 2024-06-01, 2024-06-01T12:00:00Z)")
            }
            _ = try parseTime(since, flag: "--since")
            _ = try parseTime(until, flag: "--until")
            if every != nil { throw ValidationError("--replay and --every exclude each other") }
        } else if since != nil || until != nil || ledger != nil {
            throw ValidationError("--since, --until and --ledger go with --replay")
        }
        guard serverURL.hasPrefix("http://") || serverURL.hasPrefix("https://"), let url = URL(string: serverURL),
            let host = url.host, !host.isEmpty
        else {
            throw ValidationError(
                "--server (or \(ServerURLOption.variable)) '\(serverURL)' is not an http:// or https:// URL with a host"
            )
        }
    }

    /// Exit codes from one table (`ProgramExit`; the cycle's own through `InferenceError`), and a
    /// last `--check-arguments` that parses and validates only (how `mntrading ops` checks a task).
    static func main() async { await ProgramExit.main(Self.self, name: "mntrading-infer") }

    func run() throws {
        location.bootstrapLogging()
        let logger = Logger(label: "mntrading.infer")
        let locations = location.locations
        var options = InferenceOptions()
        options.bars = try bars.settings(allowed: Self.sources, command: "mntrading-infer")
        options.nLast = nLast
        options.warmup = warmup
        options.warmupTimeout = warmupTimeout
        options.aggregation = aggregation.parameters
        options.limits = RiskLimits(
            maxDrawdown: maxDrawdown, maxPortfolioDrawdown: maxPortfolioDrawdown, degradedStopsEntries: !monitorOnly)
        options.pauseAt = pauseAt
        let stop = StopSignal()
        stop.installHandlers()
        let client = try ScoringClient(
            baseURL: serverURL,
            connectTimeout: timeoutConnect, readTimeout: timeoutRead, attempts: attempts)
        let cycle = InferenceCycle(
            client: client, store: try locations.openStore(), locations: locations, options: options)
        let lock = CycleLock(locations: locations)
        if replay, let since = since.flatMap(UTCTime.parse), let until = until.flatMap(UTCTime.parse) {
            let path =
                ledger
                ?? locations.dataPath(
                    "replays", "replay_\(UTCTime.compactStamp(since))_\(UTCTime.compactStamp(until)).sqlite")
            // The replay brings the store's features up to date: never beside a cycle.
            let result: ReplayResult
            do {
                result = try lock.whileHolding { try cycle.replay(since: since, until: until, ledgerPath: path) }
            } catch let busy as CycleLock.Busy {
                throw InferenceError.busy("an inference cycle is running (\(busy)); replay again when it ends")
            }
            FileHandle.standardOutput.write(Data((result.lines.joined(separator: "\n") + "\n").utf8))
            return
        }
        func runCycle() throws {
            let result: CycleResult
            do { result = try lock.whileHolding { try cycle.run() } } catch let busy as CycleLock.Busy {
                throw InferenceError.busy("another inference cycle is running (\(busy)); skipped")
            }
            logger.info(
                "steps: \(result.timings.map { "\($0.step) \(String(format: "%.3f", $0.seconds)) s" }.joined(separator: ", "))"
            )
            // Unbuffered: a log collector sees each cycle's line when the cycle ends.
            FileHandle.standardOutput.write(Data((result.line + "\n").utf8))
        }
        guard let every, let period = CycleSchedule.parseDuration(every) else {
            try runCycle()
            return
        }
        let schedule = CycleSchedule(
            periodMilliseconds: period, delayMilliseconds: CycleSchedule.parseDuration(delay) ?? 0)
        logger.notice(
            "a cycle every \(every), \(delay) after each bar close; SIGTERM stops after the cycle in progress")
        while !stop.isRequested {
            do {
                try runCycle()
            } catch {
                logger.error("cycle failed: \(error)")
            }
            let now = UTCTime.nowMilliseconds()
            let next = schedule.nextRun(after: now)
            logger.info("next cycle at \(UTCTime.format(next))")
            if stop.wait(seconds: Double(next - now) / 1000) { break }
        }
        logger.notice("stopped")
    }
}
