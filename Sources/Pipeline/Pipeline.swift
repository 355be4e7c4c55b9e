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
    /// A source that is not live (files, the store) ends the timeline where its data ends instead:
    /// at the newest closed bar every symbol has.
    public func run(
        now: Int64 = UTCTime.nowMilliseconds(), report: @escaping (String) -> Void = { _ in },
        progress: ProgressReporter = .silent, shouldStop: @escaping @Sendable () -> Bool = { false },
        timing: TrainingTiming = .none
    ) throws -> PipelineSummary {
        let models = ModelStore(root: locations.modelsDirectory, verify: RouterModel.verifier)
        let source = settings.bars.source
        let universe = try self.universe()
        try checkWindows()
        let timeframe = settings.dataset.timeframe
        let context = StageContext(progress: progress, shouldStop: shouldStop, timing: timing)
        var summary = PipelineSummary()
        func ingest(_ symbols: [String], _ timeframes: [Timeframe], since: Int64, until: Int64) -> BarIngest {
            BarIngest(
                source: settings.bars,
                requests: timeframes.map {
                    IngestRequest(symbols: symbols, timeframe: $0, since: since, until: until)
                },
                locations: locations)
        }
        // A live source is asked for the windows' bars; files are read whole (the windows come from
        // their end), and the store is taken as it is, its missing 1h bars derived from shorter ones.
        let derivation = source == .store ? try self.derivation(universe) : nil
        let runner = StageRunner(
            store: store, force: settings.force, context: context,
            count: Self.stageCount - (source.isLive ? 0 : 1) - (source == .store && derivation == nil ? 1 : 0),
            report: report)
        let timeline: Timeline
        if source.isLive {
            timeline = try self.timeline(now: now)
            summary.timeline = describe(timeline)
            report(summary.timeline ?? "")
            try runner.step(
                Ingestor(store: store), ingest(universe, [.h1], since: timeline.screenStart, until: now))
        } else {
            if source == .files {
                let whole = ingest(
                    universe, Array(Set([.h1, timeframe])).sorted { $0.milliseconds > $1.milliseconds },
                    since: 0, until: now)
                try runner.step(Ingestor(store: store), whole)
            } else if let derivation {
                try runner.step(BarDerivationStage(store: store), derivation)
            }
            timeline = try self.timeline(now: try sharedEnd(universe))
            summary.timeline = describe(timeline)
            report(summary.timeline ?? "")
            try checkCoverage(universe, timeline)
        }
        let screen = try runner.step(ScreeningStage(store: store, locations: locations), screening(universe, timeline))
        summary.pairsScreened = screen.pairs.count
        guard !screen.pairs.isEmpty else {
            let line = try runner.recordedLine("screen")
            summary.nothingDeployable = "the screen kept no pair (\(line ?? "")); nothing to train"
            return summary
        }
        let legs = Array(Set(screen.pairs.flatMap { [$0.a, $0.b] })).sorted()
        let featureBars: ClosedRange<Int64>?
        if source.isLive {
            try runner.step(
                Ingestor(store: store), ingest(legs, [timeframe], since: timeline.trainingStart, until: now))
            featureBars = nil
        } else {
            featureBars = timeline.trainingStart...(timeline.end - timeframe.milliseconds)
        }
        try runner.step(
            FeatureStage(store: store),
            FeatureWork(parameters: settings.features, pairs: screen.pairs, timeframe: timeframe, bars: featureBars))
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
        /// The newest closed bar's close: the training bars and the holdout end here.
        var end: Int64
    }

    func timeline(now: Int64) throws -> Timeline {
        let trainingStart = Timeframe.h1.floor(now - Int64(settings.trainingDays) * 86_400_000)
        return Timeline(
            screenStart: trainingStart - Int64(settings.screeningDays) * 86_400_000, trainingStart: trainingStart,
            end: now)
    }

    /// The windows as the summary prints them: the screen's, the training bars' and the holdout's.
    func describe(_ timeline: Timeline) -> String {
        let end = timeline.end
        let holdoutStart = end - Int64(settings.training.holdoutDays * 86_400_000)
        return
            "timeline: screen 1h \(UTCTime.format(timeline.screenStart)) to \(UTCTime.format(timeline.trainingStart)), "
            + "training \(settings.dataset.timeframe) \(UTCTime.format(timeline.trainingStart)) to \(UTCTime.format(end))"
            + (settings.training.holdoutDays > 0 ? ", holdout from \(UTCTime.format(holdoutStart))" : "")
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
