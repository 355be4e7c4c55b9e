import ArgumentParser
import CLISupport
import Foundation
import MarketData
import PairResearch
import Portfolio
import Training

extension PipelineSettings.Source: ExpressibleByArgument {}

struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Run the whole batch side: ingest 1h → screen → ingest 5m → features → dataset → train → select → router.",
        discussion: """
            Each stage is the same code as its own command. A stage whose inputs (its settings and the \
            data it reads) have not changed since it last completed is skipped, so running the pipeline \
            again is cheap and an interrupted run resumes where it stopped; --force redoes every stage. \
            The new router version gets the alias champion, which a running mntrading-serve follows.

            Examples:
              mntrading pipeline                                   # the embedded synthetic market
              mntrading pipeline --source binance --symbols BTCUSDT,ETHUSDT,SOLUSDT,BNBUSDT,XRPUSDT
              mntrading pipeline --train-days 60 --kinds gbdt --force
            """
    )

    @OptionGroup var location: LocationOptions

    @Option(help: "Where bars come from: synthetic (offline, deterministic) or binance.")
    var source: PipelineSettings.Source = .synthetic

    @Option(help: ArgumentHelp("Symbols to screen (binance: required; synthetic: default all).", valueName: "A,B,…"))
    var symbols: String?

    @Option(help: "Seed of the synthetic market.") var seed: UInt64 = 42
    @Option(help: "Synthetic market profile: default (planted pairs) or independent (none).") var profile: SyntheticMarket.Profile = .default
    @Option(help: ArgumentHelp("Binance REST base URL (env MNTRADING_BINANCE_URL).", valueName: "url")) var binanceURL: String?

    @Option(help: ArgumentHelp("Days of 1h bars the screen looks at.", valueName: "days")) var screenDays: Int = 180
    @Option(help: ArgumentHelp("Days of 5m bars for features and training.", valueName: "days")) var trainDays: Int = 30
    @Option(help: ArgumentHelp("Pairs the screen keeps.", valueName: "k")) var topK: Int = 5
    @Option(help: ArgumentHelp("Largest Engle–Granger p-value in the screen.", valueName: "p")) var pvalueMax: Double = 0.05
    @Option(help: ArgumentHelp("Bars in the rolling β window.", valueName: "bars")) var betaWindow = FeatureParameters().betaWindow
    @Option(help: ArgumentHelp("Bars in the z-score window.", valueName: "bars")) var zWindow = FeatureParameters().zWindow
    @Option(help: "Label: z_threshold, trade_outcome, revert_direction or vol_scaled.") var labelType = DatasetDefinition().labelType
    @Option(help: ArgumentHelp("Bars ahead the label looks (trade_outcome: the longest hold).", valueName: "bars")) var horizon = DatasetDefinition().horizon
    @Option(help: ArgumentHelp("Lagged copies of z and z velocity.", valueName: "n")) var lagFeatures = DatasetDefinition().lagFeatures
    @Option(help: ArgumentHelp("Walk-forward folds.", valueName: "n")) var nSplits = CrossValidation().splits
    @Option(help: ArgumentHelp("Upper bound on boosting rounds.", valueName: "rounds")) var maxRounds = FitSettings().maxRounds
    @Option(help: ArgumentHelp("Candidate kinds to try (default: all).", valueName: "gbdt,rf,logistic")) var kinds: String?
    @Option(help: ArgumentHelp("XGBoost threads (default: all cores).", valueName: "n")) var threads: Int?
    @Option(help: ArgumentHelp("Fee per unit of notional traded, per leg.", valueName: "rate")) var feeRate = BacktestCosts().feeRate
    @Option(help: ArgumentHelp("Smallest OOF Sharpe after fees for selection.", valueName: "s")) var sharpeMin = SelectionRules().sharpeMin!
    @Option(help: ArgumentHelp("OOF ROC-AUC a selected pair must exceed.", valueName: "auc")) var aucMin = SelectionRules().aucMin!
    @Flag(help: "Select every trained pair, weak ones included.") var noGuardrails = false
    @Option(help: ArgumentHelp("Model name in the model store.", valueName: "name")) var name: String = "mntrading_router"
    @Flag(help: "Redo every stage even when its inputs have not changed.") var force = false
    /// Tests pin the clock, so that a run and its rerun see the same newest closed bar.
    @Option(help: .hidden) var now: String?

    func validate() throws {
        if source == .binance && symbols == nil { throw ValidationError("--source binance needs --symbols (the universe to screen)") }
        if screenDays < 1 || trainDays < 1 { throw ValidationError("--screen-days and --train-days must be at least 1") }
        if topK < 1 { throw ValidationError("--top-k must be at least 1") }
    }

    func settings() throws -> PipelineSettings {
        var settings = PipelineSettings()
        settings.source = source
        settings.symbols = try symbols.map(Symbols.parseList) ?? []
        settings.syntheticSeed = seed
        settings.syntheticProfile = profile
        settings.binanceURL = binanceURL ?? ProcessInfo.processInfo.environment["MNTRADING_BINANCE_URL"] ?? BinanceClient.defaultBaseURL
        settings.screeningDays = screenDays
        settings.trainingDays = trainDays
        settings.screening.topK = topK
        settings.screening.pvalueMax = pvalueMax
        settings.features = FeatureParameters(betaWindow: betaWindow, zWindow: zWindow)
        try settings.features.validate()
        settings.dataset.labelType = labelType
        settings.dataset.horizon = horizon
        settings.dataset.lagFeatures = lagFeatures
        try settings.dataset.validate()
        settings.training.crossValidation.splits = nSplits
        try settings.training.crossValidation.validate()
        settings.training.fit.maxRounds = maxRounds
        if let threads { settings.training.fit.threads = threads }
        settings.training.costs.feeRate = feeRate
        settings.dataset.feeRate = feeRate
        if let kinds { settings.training.candidates = try Candidate.grid(kinds: kinds) }
        if noGuardrails {
            settings.selection.sharpeMin = nil
            settings.selection.maxDrawdownMax = nil
            settings.selection.aucMin = nil
        } else {
            settings.selection.sharpeMin = sharpeMin
            settings.selection.aucMin = aucMin
        }
        settings.routerName = name
        settings.force = force
        return settings
    }

    func run() throws {
        location.bootstrapLogging()
        Interruption.install()
        let locations = location.locations
        let started = Date()
        let pipeline = Pipeline(store: try locations.openStore(), locations: locations, settings: try settings())
        if noGuardrails { FileHandle.standardError.write(Data("warning: no guardrails: every trained pair is selected, weak pairs included\n".utf8)) }
        let clock = try now.map { try parseTime($0, flag: "--now") } ?? UTCTime.nowMilliseconds()
        let summary = try pipeline.run(now: clock, report: { print($0) }, progress: .terminal(), shouldStop: { Interruption.requested })
        let auc = summary.meanOOFAUC.map { String(format: "%.3f", $0) } ?? "-"
        let sharpe = summary.meanSelectedSharpe.map { String(format: "%.2f", $0) } ?? "-"
        print("pipeline: \(summary.pairsScreened) pairs screened, \(summary.pairsSelected) selected (mean OOF AUC \(auc), mean OOF Sharpe \(sharpe)); "
              + "model \(summary.modelURI ?? "-") = version \(summary.version.map(String.init) ?? "-")"
              + String(format: " in %.1f s", Date().timeIntervalSince(started)))
        print("next: mntrading-serve -m \(summary.modelURI ?? "models:/\(name)@champion") --models-dir \(locations.modelsDirectory)")
    }
}
