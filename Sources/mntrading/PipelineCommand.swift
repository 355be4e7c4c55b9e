import ArgumentParser
import CLISupport
import Foundation
import MarketData
import ModelFormat
import PairResearch
import Portfolio
import Training
import Pipeline
import TrainingRecords
import Store
import Tracking
import Basics

struct PipelineCommand: ParsableCommand {
    /// "Nothing deployable": a normal outcome for a timer, distinct from failures (1) and bad flags (64).
    static let nothingDeployableExitCode: Int32 = 10

    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract:
            "Run the whole batch side: ingest 1h → screen → ingest 5m → features → dataset → train → select → router.",
        discussion: """
            Each stage is the same code as its own command. A stage whose inputs (its settings and the \
            data it reads) have not changed since it last completed is skipped, so running the pipeline \
            again is cheap and an interrupted run resumes where it stopped; --force redoes every stage. \
            The new router version gets the alias champion, which a running mntrading-serve follows.

            The research timeline never overlaps: the screen looks at --screen-days of 1h bars that \
            end where the --train-days of 5m bars begin; training scores walk-forward folds on those \
            bars, and the last --holdout-days are a holdout no choice has seen. A pair is deployed \
            only on money after costs out of sample (see `mntrading select --help`). The first line \
            printed gives the windows' dates.

            Your own data: --source files --data-from DIR reads a directory of candle files (one per \
            symbol and timeframe: SYMBOL_5m.csv with a header, the exchange's kline CSV or its monthly \
            and daily zip archives, freqtrade's JSON; each file's format is detected and reported); \
            --source store uses the bars already stored. Then the timeline ends at the newest closed \
            bar all symbols share, and the windows must lie inside their bars. Without 1h candles the \
            screen's bars are derived from the 5m ones (only complete hours; the partial ones are \
            counted and left out).

            Exit codes: 0 a router was built (or was current); 10 nothing deployable (the screen or \
            the selection kept no pair: a normal outcome, the alias and the served model are left \
            as they were); 64 bad flags or settings (all checked before the first stage runs); 65 data \
            that cannot be used; 69 the exchange unreachable; 74 the store or data directory cannot be \
            read or written; 75 another pipeline or batch stage holds <data-dir>/pipeline.lock (try \
            again later); 130 interrupted (a rerun resumes); 1 any other failure.

            Examples:
              mntrading pipeline                                   # the embedded synthetic market
              mntrading pipeline --source binance --symbols BTCUSDT,ETHUSDT,SOLUSDT,BNBUSDT,XRPUSDT
              mntrading pipeline --source files --data-from ~/candles --train-days 365 --screen-days 180
              mntrading pipeline --train-days 540 --holdout-days 60 --kinds gbdt --force
            """
    )

    @OptionGroup var location: LocationOptions

    @OptionGroup(title: "Bar source") var bars: BarSourceOptions

    @Option(
        help: ArgumentHelp(
            "Symbols to screen (binance: required; synthetic, files, store: default all they have).",
            valueName: "A,B,…"))
    var symbols: String?

    @Option(
        help: ArgumentHelp(
            "Days of 1h bars the screen looks at, ending where the training bars begin.", valueName: "days"),
        transform: NumberRule.wholeDays.parse) var screenDays = PipelineSettings().screeningDays
    @Option(
        help: ArgumentHelp("Days of 5m bars for the features' warm-up, the folds and the holdout.", valueName: "days"),
        transform: NumberRule.wholeDays.parse) var trainDays = PipelineSettings().trainingDays
    @Option(help: ArgumentHelp("Pairs the screen keeps.", valueName: "k"), transform: NumberRule.topK.parse) var topK =
        PipelineSettings().screening.topK
    @Option(
        help: ArgumentHelp("Largest Engle–Granger p-value in the screen.", valueName: "p"),
        transform: NumberRule.pvalue.parse) var pvalueMax = PipelineSettings().screening.pvalueMax
    @OptionGroup(title: "Features") var features: FeatureOptions
    @OptionGroup(title: "Label") var label: LabelOptions
    @OptionGroup(title: "Folds, holdout and fits") var training: TrainingOptions
    @OptionGroup(title: "Execution") var execution: ExecutionOptions
    @OptionGroup(title: "Selection") var selection: SelectionOptions
    @Option(help: ArgumentHelp("Model name in the model store.", valueName: "name")) var name: String =
        ModelStore.defaultModelName
    @Flag(help: "Redo every stage even when its inputs have not changed.") var force = false
    @OptionGroup(
        title: "MLflow (with a tracking URI the run is logged and the router version registered, alias champion)")
    var tracking: TrackingOptions
    /// Tests pin the clock, so that a run and its rerun see the same newest closed bar.
    @Option(help: .hidden) var now: String?
    /// For the README's figure: the honesty machinery's share of the wall time.
    @Flag(help: .hidden) var timing = false

    static let sources: [BarSource] = [.synthetic, .binance, .files, .archive, .store]

    func validate() throws {
        let source = try bars.settings(allowed: Self.sources, command: "mntrading pipeline").source
        if source == .binance && symbols == nil {
            throw ValidationError("--source binance needs --symbols (the universe to screen)")
        }
        // Every setting, the stages' own checks included, before the first stage runs.
        try asUsageError {
            let settings = try settings()
            try settings.screening.validate()
        }
        // A pinned clock is for reruns of the past; a future one would ingest bars up to it.
        if let now, try parseTime(now, flag: "--now") > UTCTime.nowMilliseconds() + 86_400_000 {
            throw ValidationError("--now '\(now)' is in the future")
        }
    }

    func settings() throws -> PipelineSettings {
        var settings = PipelineSettings()
        settings.bars = try bars.settings(allowed: Self.sources, command: "mntrading pipeline")
        settings.symbols = try symbols.map { try parseSymbols($0) } ?? []
        settings.screeningDays = screenDays
        settings.trainingDays = trainDays
        settings.screening.topK = topK
        settings.screening.pvalueMax = pvalueMax
        settings.features = features.parameters
        label.apply(to: &settings.dataset)
        try settings.dataset.validate()
        try training.apply(to: &settings.training)
        settings.training.execution = execution.execution
        // The label that counts money pays the same fee as the trades it labels.
        settings.dataset.feeRate = execution.feeRate
        settings.selection = selection.rules
        settings.routerName = name
        settings.force = force
        return settings
    }

    func run() throws {
        location.bootstrapLogging()
        Interruption.install()
        let locations = location.locations
        let started = Date()
        // One pipeline at a time over a data directory, whoever starts it (cron, a shell, the
        // dashboard), and no stage run by hand beside it.
        try locations.holdingBatchLock("mntrading pipeline") {
            try runHoldingLock(locations: locations, started: started)
        }
    }

    private func runHoldingLock(locations: Locations, started: Date) throws {
        let accounts = TrainingTiming()
        let store = try locations.openProjectStore()
        let pipeline = Pipeline(store: store, locations: locations, settings: try settings())
        if selection.noGuardrails {
            FileHandle.standardError.write(Data("warning: \(SelectionRules.noGuardrailsWarning)\n".utf8))
        }
        let clock = try now.map { try parseTime($0, flag: "--now") } ?? UTCTime.nowMilliseconds()
        let summary = try pipeline.run(
            now: clock, report: { print($0) }, progress: .terminal(), shouldStop: { Interruption.requested },
            timing: accounts)
        let seconds = String(format: "%.1f s", Date().timeIntervalSince(started))
        if timing {
            let total = Date().timeIntervalSince(started), honesty = accounts.honesty.seconds
            print(
                String(
                    format: "timing: pipeline %.2f s, honesty machinery %.2f s = %.1f%% on top of the rest", total,
                    honesty,
                    honesty / max(total - honesty, 1e-9) * 100))
        }
        try logTracking(store: store, locations: locations, summary: summary)
        let trials =
            summary.trials.map { " over \($0) trials" + (summary.pbo.map { String(format: ", PBO %.2f", $0) } ?? "") }
            ?? ""
        if let reason = summary.nothingDeployable {
            print(
                "pipeline: nothing deployable: \(reason)\(trials); the alias and the served model are unchanged (\(seconds))"
            )
            throw ExitCode(PipelineCommand.nothingDeployableExitCode)
        }
        func figure(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "-" }
        print(
            "pipeline: \(summary.pairsScreened) pairs screened, \(summary.pairsSelected) selected\(trials); portfolio after costs: "
                + "OOF Sharpe \(figure(summary.portfolioSharpe, "%.2f")) (\(summary.portfolioTrades.map(String.init) ?? "-") trades, DSR \(figure(summary.portfolioDeflatedSharpe, "%.2f"))), "
                + "holdout Sharpe \(figure(summary.portfolioHoldoutSharpe, "%.2f")); "
                + "model \(summary.modelURI ?? "-") = version \(summary.version.map(String.init) ?? "-") in \(seconds)")
        print(
            "next: mntrading-serve -m \(summary.modelURI ?? "models:/\(name)@champion") --models-dir \(locations.modelsDirectory)"
        )
    }

    /// What the run left, to MLflow: its training report, its selection and the router version the
    /// alias points at; each is keyed by what it is, so a rerun that skipped a stage logs nothing twice.
    private func logTracking(store: DataStore, locations: Locations, summary: PipelineSummary) throws {
        let report = summary.training, chosen = summary.selection
        let version = summary.nothingDeployable == nil ? summary.version : nil
        let alias = try settings().alias
        try tracking.log(store) {
            var made: [(TrackedEntry, [(path: String, bytes: [UInt8])])] = []
            if let report {
                made.append(
                    try TrackedEntries.training(
                        report, reportPath: locations.dataPath("training", "report.json"),
                        experiment: tracking.experiment, stage: "pipeline"))
            }
            if let chosen {
                made.append(
                    try TrackedEntries.selection(
                        chosen, path: locations.dataPath("training", "selection.json"),
                        experiment: tracking.experiment))
            }
            if let version {
                let models = ModelStore(root: locations.modelsDirectory)
                made.append(
                    try TrackedEntries.router(
                        directory: models.versionDirectory(name, version), name: name, register: true,
                        alias: alias, experiment: tracking.experiment))
            }
            return made
        }
    }
}
