import ArgumentParser
import CLISupport
import Foundation
import Inference
import Logging
import MarketData
import ModelFormat
import Portfolio
import Basics


@main
struct Infer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mntrading-infer",
        abstract: "Score the newest closed bars on a running mntrading-serve and turn the answers into orders and a report.",
        discussion: """
            One cycle: ask the server's /metadata for pairs and feature columns, ingest the newest \
            closed bars of every leg (--source), update the features incrementally (the training \
            code), POST one dataframe_split request to /invocations, store the signals (table signals \
            and <data-dir>/signals/signals_<day>.jsonl, unique per pair, bar and model version), \
            aggregate them into orders (<data-dir>/portfolio/orders_<bar>.json|csv and \
            latest_orders.json) and write a report (<data-dir>/portfolio/report_<bar>/report.html).

            Run once (cron) or on a timer:
              mntrading-infer --server http://127.0.0.1:5001 --once
              mntrading-infer --server http://127.0.0.1:5001 --every 5m --delay 10s

            Exit codes: 0 done (also after SIGTERM, which lets the cycle in progress finish); \
            64 bad flags; 65 the data cannot feed the model; 69 server down, timing out or 5xx after \
            the retries; 74 the data directory or store cannot be written; 75 another cycle holds the lock; 76 the server refused the request (4xx) or \
            answered outside the protocol. With --every a failed cycle is logged and the timer goes on.
            """,
        version: "mntrading-infer \(ProductVersion.current)"
    )

    @OptionGroup var location: LocationOptions

    // --serving-url: what the origin system's client calls it.
    @Option(name: [.customLong("server"), .customLong("serving-url")],
            help: ArgumentHelp("Base URL of mntrading-serve (env MNTRADING_SERVER_URL; default http://127.0.0.1:5001).", valueName: "url"))
    var server: String?

    @OptionGroup(title: "Bar source (the newest bars)") var bars: BarSourceOptions

    @Option(help: ArgumentHelp("Newest rows per pair in each request.", valueName: "n"))
    var nLast: Int = 1

    @Option(help: ArgumentHelp("Seconds allowed to connect to the server.", valueName: "s"))
    var timeoutConnect: Double = 5

    @Option(help: ArgumentHelp("Seconds allowed for the server's answer.", valueName: "s"))
    var timeoutRead: Double = 30

    @Option(help: ArgumentHelp("Attempts per request; connection errors, timeouts, 429 and 5xx are retried with backoff and jitter, other 4xx never.", valueName: "n"))
    var attempts: Int = 4

    @Flag(help: "Wait for the server's /ping and send one tiny request before the cycle.")
    var warmup = false

    @Option(help: ArgumentHelp("Longest wait for /ping with --warmup.", valueName: "s"))
    var warmupTimeout: Double = 120

    @Flag(help: "Run one cycle and exit (the default).")
    var once = false

    @Option(help: ArgumentHelp("Run a cycle at every bar close of this period, e.g. 5m (plus --delay); the first cycle runs at start.", valueName: "period"))
    var every: String?

    @Option(help: ArgumentHelp("Wait after each bar close before the cycle, so the exchange has the bar.", valueName: "duration"))
    var delay: String = "10s"

    @OptionGroup(title: "Aggregation") var aggregation: AggregationOptions

    @Option(help: .hidden) var pauseAt: String?

    /// --server, else MNTRADING_SERVER_URL, else the local default.
    var serverURL: String { server ?? ProcessInfo.processInfo.environment["MNTRADING_SERVER_URL"] ?? "http://127.0.0.1:5001" }

    static let sources: [BarSource] = [.synthetic, .binance, .none]

    func validate() throws {
        _ = try bars.settings(allowed: Self.sources, command: "mntrading-infer")
        if once && every != nil { throw ValidationError("--once and --every exclude each other") }
        if let every, (CycleSchedule.parseDuration(every) ?? 0) < 1000 {
            throw ValidationError("--every '\(every)' is not a period of at least 1 s (e.g. 5m, 1h)")
        }
        if CycleSchedule.parseDuration(delay) == nil { throw ValidationError("--delay '\(delay)' is not a duration (e.g. 10s)") }
        if nLast < 1 || nLast > 10_000 { throw ValidationError("--n-last must be between 1 and 10000") }
        if timeoutConnect <= 0 || timeoutRead <= 0 || warmupTimeout <= 0 { throw ValidationError("timeouts must be positive") }
        if attempts < 1 { throw ValidationError("--attempts must be at least 1") }
        if !(serverURL.hasPrefix("http://") || serverURL.hasPrefix("https://")) {
            throw ValidationError("--server '\(serverURL)' is not an http:// or https:// URL")
        }
    }

    /// Checks the arguments and exits: how `mntrading ops` holds a dashboard task to this command's rules.
    @Flag(help: .hidden) var checkArguments = false

    func run() throws {
        if checkArguments { return }
        location.bootstrapLogging()
        let logger = Logger(label: "mntrading.infer")
        let locations = location.locations
        let environment = ProcessInfo.processInfo.environment
        var options = InferenceOptions()
        options.bars = try bars.settings(allowed: Self.sources, command: "mntrading-infer", environment: environment)
        options.nLast = nLast
        options.warmup = warmup
        options.warmupTimeout = warmupTimeout
        options.aggregation = aggregation.parameters
        options.pauseAt = pauseAt
        let stop = StopSignal()
        stop.installHandlers()
        do {
            let client = try ScoringClient(baseURL: serverURL,
                                           connectTimeout: timeoutConnect, readTimeout: timeoutRead, attempts: attempts)
            let cycle = InferenceCycle(client: client, store: try locations.openStore(), locations: locations, options: options)
            let lock = CycleLock(locations: locations)
            func runCycle() throws {
                let result: CycleResult
                do { result = try lock.whileHolding { try cycle.run() } } catch let busy as CycleLock.Busy {
                    throw InferenceError.busy("another inference cycle is running (\(busy)); skipped")
                }
                logger.info("steps: \(result.timings.map { "\($0.step) \(String(format: "%.3f", $0.seconds)) s" }.joined(separator: ", "))")
                // Unbuffered: a log collector sees each cycle's line when the cycle ends.
                FileHandle.standardOutput.write(Data((result.line + "\n").utf8))
            }
            guard let every, let period = CycleSchedule.parseDuration(every) else {
                try runCycle()
                return
            }
            let schedule = CycleSchedule(periodMilliseconds: period, delayMilliseconds: CycleSchedule.parseDuration(delay) ?? 0)
            logger.notice("a cycle every \(every), \(delay) after each bar close; SIGTERM stops after the cycle in progress")
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
        } catch let error as InferenceError {
            FileHandle.standardError.write(Data("mntrading-infer: error: \(error.description)\n".utf8))
            throw ExitCode(error.exitCode)
        } catch let error as MarketDataError {
            FileHandle.standardError.write(Data("mntrading-infer: error: \(error)\n".utf8))
            if case .store = error { throw ExitCode(74) }
            throw ExitCode(65)
        }
    }
}
