import Foundation
import GRDB
import HTTPClient
import MarketData
import ModelFormat
import PairResearch
import Scoring
import Basics
import Store
import Training
import TrainingRecords

/// `mntrading pipeline`: ingest 1h → screen → ingest 5m for the screened symbols → features →
/// dataset → train → select → router, each stage the same code as its own command.
///
/// A stage is skipped when its fingerprint — its parameters plus the state of the inputs it reads,
/// as the store holds them — equals the one recorded when it last completed; a stage that failed
/// or was interrupted recorded nothing, so the next run resumes there. A change upstream changes
/// the state downstream stages read, so they rerun; `force` reruns everything.
public struct Pipeline: Sendable {
    public static let stageNames = [
        "ingest 1h", "screen", "ingest 5m", "features", "dataset", "train", "select", "router"
    ]

    public let store: DataStore
    public let locations: Locations
    public let settings: PipelineSettings

    public init(store: DataStore, locations: Locations, settings: PipelineSettings) {
        self.store = store
        self.locations = locations
        self.settings = settings
    }

    /// `now` is the clock for the data (the newest closed bar, the windows); records (runs, files)
    /// are stamped with the wall clock, so "latest" stays the most recent even with `now` pinned.
    public func run(
        now: Int64 = UTCTime.nowMilliseconds(), report: (String) -> Void = { _ in },
        progress: ProgressReporter = .silent, shouldStop: @escaping @Sendable () -> Bool = { false }
    ) throws -> PipelineSummary {
        var summary = PipelineSummary()
        let models = ModelStore(root: locations.modelsDirectory, verify: RouterModel.verifier)
        // The research timeline: the screen's 1h bars end where the 5m training data begins, so
        // the pairs are chosen on bars before any that is scored; the holdout is the last days.
        let trainingSince = Timeframe.h1.floor(now - Int64(settings.trainingDays) * 86_400_000)
        let screeningSince = trainingSince - Int64(settings.screeningDays) * 86_400_000
        let universe = try self.universe()
        try checkWindows()

        /// `outputsPresent`: whether what the stage made last time is still there (a stage whose
        /// output was deleted runs again even when its inputs are the same).
        /// The fingerprint is taken before the stage (to decide) and again after it (to record): a
        /// stage whose inputs include the "latest" of its own output kind (the screen) records the
        /// state it left, so the next run finds it unchanged.
        func stage(
            _ index: Int, fingerprint parts: () throws -> [String], outputsPresent: Bool = true,
            _ body: () throws -> String
        ) throws {
            let name = Self.stageNames[index]
            func digest() throws -> String {
                var hash = FNV1a()
                for part in try parts() { hash.add(part) }
                return hash.hex
            }
            let fingerprint = try digest()
            let started = Date()
            let recorded = try store.read { db in try PipelineStageRecords.fingerprint(db, stage: name) }
            let prefix = "[\(index + 1)/\(Self.stageNames.count)] \(name): "
            if !settings.force && recorded == fingerprint && outputsPresent {
                summary.stages.append((name, true, "skipped, inputs unchanged", 0))
                report(prefix + "skipped, inputs unchanged")
                return
            }
            // Ctrl-C is honoured between stages; within one, only training checks it (per pair).
            if shouldStop() {
                throw TrainingError.interrupted("interrupted before \(name); run the pipeline again to resume there")
            }
            let line = try body()
            let finished = try digest()
            try store.write { db in
                try PipelineStageRecords.record(
                    db, stage: name, fingerprint: finished, finishedAt: UTCTime.nowMilliseconds(), summary: line)
            }
            let seconds = Date().timeIntervalSince(started)
            summary.stages.append((name, false, line, seconds))
            report(prefix + line + String(format: " (%.1f s)", seconds))
        }

        try stage(
            0,
            fingerprint: {
                [
                    sourceKey, universe.joined(separator: ","), "\(screeningSince / Timeframe.d1.milliseconds)",
                    "\(Timeframe.h1.floor(now))"
                ]
            }
        ) {
            try ingest(universe, timeframe: .h1, since: screeningSince, now: now, progress: progress).line
        }
        var screening = settings.screening
        screening.timeframe = .h1
        screening.since = screeningSince
        screening.until = trainingSince
        // Only this pipeline's symbols, whatever else the store holds.
        screening.symbols = universe
        // The latest screening run too: a screen run by hand in between makes this one run again,
        // so that "latest", which the later stages read, is this pipeline's screen.
        try stage(
            1,
            fingerprint: {
                [
                    try ProjectJSON.string(screening), try barsState(.h1),
                    try store.read { db in try ScreeningStage.latestState(db) }
                ]
            }
        ) {
            let (run, _) = try ScreeningStage(store: store, locations: locations).run(screening, progress: progress)
            let removed = run.rejectionSummary
            return "\(run.symbols.count) symbols, \(run.pairsTested) pairs tested, \(run.pairs.count) kept"
                + (removed.isEmpty ? "" : " (removed: \(removed))")
        }
        let pairs = try ScreenedPairs.resolve("latest", store: store)
        let screeningRun = try ScreenedPairs.screeningRun("latest", store: store)
        summary.pairsScreened = pairs.count
        guard !pairs.isEmpty else {
            let line = try store.read { db in try PipelineStageRecords.summary(db, stage: Self.stageNames[1]) }
            summary.nothingDeployable = "the screen kept no pair (\(line ?? "")); nothing to train"
            return summary
        }
        let legs = Array(Set(pairs.flatMap { [$0.a, $0.b] })).sorted()
        let timeframe = settings.dataset.timeframe
        try stage(
            2,
            fingerprint: {
                [
                    sourceKey, legs.joined(separator: ","), "\(trainingSince / Timeframe.d1.milliseconds)",
                    "\(timeframe.floor(now))"
                ]
            }
        ) {
            try ingest(legs, timeframe: timeframe, since: trainingSince, now: now, progress: progress).line
        }
        try stage(
            3,
            fingerprint: {
                [
                    try ProjectJSON.string(settings.features), pairs.map(\.text).joined(separator: ","),
                    try barsState(timeframe)
                ]
            }
        ) {
            let updates = try FeatureStage(store: store).update(
                pairs: pairs, timeframe: timeframe, parameters: settings.features, progress: progress)
            return "\(updates.count) pairs, \(updates.reduce(0) { $0 + $1.rowsWritten }) rows written"
        }
        // The pair list too: a screen that keeps fewer pairs changes no feature set, but the dataset.
        let featureState = try store.read { db in
            try FeatureStage.state(pairs: pairs.map(\.text), timeframe: timeframe, in: db)
        }
        try stage(4, fingerprint: { [try ProjectJSON.string(settings.dataset), featureState, screeningRun ?? ""] }) {
            let built = try DatasetStage(store: store).build(settings.dataset, pairs: pairs, screeningRun: screeningRun)
            return "\(built.pairs) pairs, \(built.rows) rows, \(built.labelledRows) labelled"
        }
        // The dataset's inputs, not only its id: the id comes from the definition, so a dataset
        // rebuilt for other pairs keeps it.
        try stage(
            5,
            fingerprint: {
                [
                    try ProjectJSON.string(settings.training), try ProjectJSON.string(settings.dataset), featureState,
                    try store.read { db in try DatasetRecord.latestState(db) }
                ]
            }
        ) {
            let (report, _) = try TrainStage(store: store, locations: locations).run(
                settings: settings.training, progress: progress, shouldStop: shouldStop)
            let status = try store.read { db in try TrainingRunRecords.status(db, runId: report.runId) }
            if status != "complete" {
                throw TrainingError.interrupted("interrupted during training; run the pipeline again to resume there")
            }
            let trained = report.pairs.filter { $0.status == "trained" }
            return "\(trained.count)/\(report.pairs.count) pairs trained, \(report.trials) trials"
                + (report.pbo.map { String(format: ", PBO %.2f", $0.pbo) } ?? "")
        }
        let runState = try store.read { db in try TrainingRunRecords.latestCompleteState(db) }
        try stage(6, fingerprint: { [try ProjectJSON.string(settings.selection), runState] }) {
            let (result, _) = try SelectStage(store: store, locations: locations).run(rules: settings.selection)
            return "\(result.selected.count) of \(result.decisions.count) pairs selected"
                + (result.warning.map { " (\($0))" } ?? "")
        }
        let selection = try ProjectJSON.decoder().decode(
            SelectionResult.self,
            from: Data(contentsOf: URL(fileURLWithPath: locations.dataPath("training", "selection.json"))))
        summary.pairsSelected = selection.selected.count
        summary.trials = selection.trials
        summary.pbo = selection.pbo
        summary.portfolioSharpe = selection.portfolio?.sharpe
        summary.portfolioTrades = selection.portfolio?.trades
        summary.portfolioDeflatedSharpe = selection.portfolioDeflatedSharpe
        summary.portfolioHoldoutSharpe = selection.portfolioHoldout?.sharpe
        guard !selection.selected.isEmpty else {
            summary.nothingDeployable =
                "no pair passed selection; each pair's reason is in \(locations.dataPath("training", "selection.json"))"
            return summary
        }
        // The router is current when the alias already points at a version built from this run.
        let currentVersion = try? models.aliases(settings.routerName)[settings.alias]
        let built = currentVersion.flatMap { version in
            (try? ProjectJSON.decoder().decode(
                RouterManifest.self,
                from: Data(
                    contentsOf: URL(
                        fileURLWithPath: models.versionDirectory(settings.routerName, version) + "/router.json"))))?
                .trainingRun
        }
        let runId = try store.read { db in
            try TrainingRunRecords.latestCompleteId(db)
        }
        try stage(
            7,
            fingerprint: {
                [settings.routerName, settings.alias, runState, try store.read { db in try SelectionRecords.state(db) }]
            },
            outputsPresent: built != nil && built == runId
        ) {
            let (version, _, _) = try RouterBuilder(store: store, models: models).build(
                name: settings.routerName, alias: settings.alias)
            return "\(settings.routerName) version \(version), alias \(settings.alias)"
        }
        summary.version = try models.aliases(settings.routerName)[settings.alias]
        summary.modelURI = "models:/\(settings.routerName)@\(settings.alias)"
        return summary
    }

    var sourceKey: String { settings.bars.identity }

    func universe() throws -> [String] {
        if let market = settings.bars.market {
            if settings.symbols.isEmpty { return market.symbols }
            try market.validate(symbols: settings.symbols)
            return settings.symbols
        }
        guard settings.symbols.count >= 2 else {
            throw TrainingError.invalidArgument(
                "--source \(settings.bars.source.rawValue) needs --symbols with at least two symbols to screen")
        }
        return settings.symbols
    }

    func ingest(_ symbols: [String], timeframe: Timeframe, since: Int64, now: Int64, progress: ProgressReporter) throws
        -> IngestSummary
    {
        guard let source = try settings.bars.ingestSource() else {
            throw TrainingError.invalidArgument("the pipeline needs bars: --source synthetic or binance")
        }
        if let market = settings.bars.market { try locations.writeGroundTruth(of: market) }
        return try Ingestor(store: store).run(
            source, IngestRequest(symbols: symbols, timeframe: timeframe, since: since, until: now),
            now: now, progress: progress)
    }

    func barsState(_ timeframe: Timeframe) throws -> String {
        try store.summaries(timeframe: timeframe).map {
            "\($0.symbol) \($0.count) \($0.firstOpenTime) \($0.lastOpenTime)"
        }.joined(separator: "\n")
    }

    /// Whether `trainingDays` of bars hold the features' warm-up, the folds and the holdout.
    func checkWindows() throws {
        let timeframe = settings.dataset.timeframe
        let perDay = Int(86_400_000 / timeframe.milliseconds)
        let bars = settings.trainingDays * perDay
        let warmUp = settings.features.warmUp + settings.dataset.lagFeatures
        let holdout = Int(settings.training.holdoutDays * Double(perDay))
        var cv = settings.training.crossValidation
        cv.horizon = settings.dataset.horizon
        let folds = cv.rowsNeeded()
        guard bars - warmUp - holdout >= folds else {
            throw TrainingError.invalidArgument(
                "--train-days \(settings.trainingDays) gives \(bars) \(timeframe) bars: the feature windows take \(warmUp), the \(String(format: "%g", settings.training.holdoutDays))-day holdout \(holdout), leaving \(bars - warmUp - holdout) for \(cv.splits) folds that need at least \(folds); raise --train-days or lower --holdout-days, --n-splits or the windows"
            )
        }
    }
}
