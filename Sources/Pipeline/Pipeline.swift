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
/// dataset → train → select → router: the stages (`Stage`) each command runs on its own, in order,
/// each skipped when its inputs are unchanged (`StageRunner`); `force` reruns everything.
public struct Pipeline: Sendable {
    /// The stages a full run passes through, for its "[i/n]" lines.
    static let stageCount = 8

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
        now: Int64 = UTCTime.nowMilliseconds(), report: @escaping (String) -> Void = { _ in },
        progress: ProgressReporter = .silent, shouldStop: @escaping @Sendable () -> Bool = { false },
        timing: TrainingTiming = .none
    ) throws -> PipelineSummary {
        let models = ModelStore(root: locations.modelsDirectory, verify: RouterModel.verifier)
        let timeline = try self.timeline(now: now)
        let universe = try self.universe()
        try checkWindows()
        let context = StageContext(progress: progress, shouldStop: shouldStop, timing: timing)
        let runner = StageRunner(
            store: store, force: settings.force, context: context, count: Self.stageCount, report: report)
        var summary = PipelineSummary()
        func ingest(_ symbols: [String], _ timeframe: Timeframe, since: Int64) -> BarIngest {
            BarIngest(
                source: settings.bars,
                request: IngestRequest(symbols: symbols, timeframe: timeframe, since: since, until: now),
                locations: locations)
        }

        try runner.step(Ingestor(store: store), ingest(universe, .h1, since: timeline.screenStart))
        let screen = try runner.step(ScreeningStage(store: store, locations: locations), screening(universe, timeline))
        summary.pairsScreened = screen.pairs.count
        guard !screen.pairs.isEmpty else {
            let line = try runner.recordedLine("screen")
            summary.nothingDeployable = "the screen kept no pair (\(line ?? "")); nothing to train"
            return summary
        }
        let legs = Array(Set(screen.pairs.flatMap { [$0.a, $0.b] })).sorted()
        let timeframe = settings.dataset.timeframe
        try runner.step(Ingestor(store: store), ingest(legs, timeframe, since: timeline.trainingStart))
        try runner.step(
            FeatureStage(store: store),
            FeatureWork(parameters: settings.features, pairs: screen.pairs, timeframe: timeframe))
        try runner.step(
            DatasetStage(store: store),
            DatasetWork(definition: settings.dataset, pairs: screen.pairs, screeningRun: screen.runId))
        summary.training = try runner.step(TrainStage(store: store, locations: locations), settings.training)
        let selection = try runner.step(SelectStage(store: store, locations: locations), settings.selection)
        summary.record(selection)
        guard !selection.selected.isEmpty else {
            summary.nothingDeployable =
                "no pair passed selection; each pair's reason is in \(locations.dataPath("training", "selection.json"))"
            return summary
        }
        let version = try runner.step(
            RouterBuilder(store: store, models: models), RouterTarget(name: settings.routerName, alias: settings.alias))
        summary.version = version
        summary.modelURI = "models:/\(settings.routerName)@\(settings.alias)"
        return summary
    }

    /// The research timeline: the screen's 1h bars end where the 5m training data begins, so the
    /// pairs are chosen on bars before any that is scored; the holdout is the last days.
    struct Timeline {
        var screenStart: Int64
        var trainingStart: Int64
    }

    func timeline(now: Int64) throws -> Timeline {
        let trainingStart = Timeframe.h1.floor(now - Int64(settings.trainingDays) * 86_400_000)
        return Timeline(
            screenStart: trainingStart - Int64(settings.screeningDays) * 86_400_000, trainingStart: trainingStart)
    }

    /// The screen's settings on the timeline: the pipeline's symbols only, whatever else the store holds.
    func screening(_ universe: [String], _ timeline: Timeline) -> ScreeningParameters {
        var screening = settings.screening
        screening.timeframe = .h1
        screening.since = timeline.screenStart
        screening.until = timeline.trainingStart
        screening.symbols = universe
        return screening
    }

    func universe() throws -> [String] {
        if let market = settings.bars.market {
            if settings.symbols.isEmpty { return market.symbols }
            try market.validate(symbols: settings.symbols)
            return settings.symbols
        }
        guard settings.symbols.count >= 2 else {
            throw SettingError(
                "symbols", "needs at least two symbols to screen with source \(settings.bars.source.rawValue)")
        }
        return settings.symbols
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
            throw SettingError(
                "training_days",
                "\(settings.trainingDays) gives \(bars) \(timeframe) bars: the feature windows take \(warmUp), the \(String(format: "%g", settings.training.holdoutDays))-day holdout \(holdout), leaving \(bars - warmUp - holdout) for \(cv.splits) folds that need at least \(folds); raise it or lower the holdout's days, the folds or the windows"
            )
        }
    }
}
