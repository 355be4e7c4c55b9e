import Foundation
import CLISupport
import GRDB
import Testing
import TrainingRecords
import Basics
@testable import MarketData
@testable import PairResearch
@testable import Backtest
@testable import Training
@testable import ModelFormat

/// Honesty: the trainer must not find an edge where there is none, and the harness must be able to fail.
@Suite(.serialized)
struct HonestyTests {
    static let parameters = FeatureParameters(betaWindow: 200, zWindow: 60)

    static func dataset(
        profile: SyntheticMarket.Profile, pair: (String, String), days: Int = 24,
        label: LabelType = .revertDirection, seed: UInt64 = 11,
        parameters: FeatureParameters = parameters, horizon: Int = 3
    ) throws -> PairDataset {
        let market = SyntheticMarket(seed: seed, profile: profile)
        let series = try market.series(
            symbols: [pair.0, pair.1], timeframe: .m5, from: SyntheticMarket.origin,
            to: SyntheticMarket.origin + Int64(days) * 86_400_000)
        let rows = FeatureEngine(parameters: parameters).rows(PairBars(a: series[0].bars, b: series[1].bars))
        var definition = DatasetDefinition()
        definition.labelType = label
        definition.horizon = horizon
        definition.lagFeatures = 3
        return PairDataset(pair: "\(pair.0)__\(pair.1)", rows: rows, definition: definition)
    }

    static var settings: TrainingSettings { settings(holdoutDays: 0) }

    static func settings(holdoutDays: Double) -> TrainingSettings {
        var settings = TrainingSettings()
        settings.holdoutDays = holdoutDays
        settings.crossValidation.minTrainRows = 100
        settings.crossValidation.splits = 4
        settings.crossValidation.horizon = 3
        settings.fit.maxRounds = 60
        settings.fit.earlyStoppingRounds = 15
        settings.fit.threads = 2
        settings.candidates = [
            Candidate(kind: .gbdt, maxDepth: 3, learningRate: 0.1), Candidate(kind: .logistic, learningRate: 0.5)
        ]
        return settings
    }

    /// The harness: out-of-fold AUC on a market without any edge must be 0.5 ± 0.05.
    static func harnessPasses(_ result: PairTrainingResult) -> Bool {
        guard let auc = result.oof?.rocAUC else { return false }
        return abs(auc - 0.5) <= 0.05
    }

    @Test(arguments: [LabelType.revertDirection, .zThreshold, .volScaled])
    func noEdgeInIndependentRandomWalks(label: LabelType) throws {
        let dataset = try Self.dataset(profile: .independent, pair: ("SYNA1USDT", "SYNA0USDT"), days: 40, label: label)
        try Self.expectNoEdge(dataset)
    }

    /// The default setup (z_threshold label, 1000-bar windows, 96-bar horizon) on random walks.
    @Test func noEdgeInIndependentRandomWalksWithTheDefaultLabel() throws {
        try Self.expectNoEdge(
            try Self.dataset(
                profile: .independent, pair: ("SYNA1USDT", "SYNA0USDT"), days: 180, label: .zThreshold,
                parameters: FeatureParameters(betaWindow: 1000, zWindow: 1000), horizon: 96), horizon: 96)
    }

    static func expectNoEdge(_ dataset: PairDataset, horizon: Int = 3) throws {
        var settings = Self.settings
        settings.crossValidation.horizon = horizon
        let result = try PairTrainer(settings: settings).train(dataset)
        #expect(result.status == "trained", "\(result.reason ?? "")")
        let passes = Self.harnessPasses(result)
        print(
            "independent \(dataset.pair): OOF AUC \(result.oof?.rocAUC ?? .nan), Sharpe \(result.backtest?.sharpe ?? .nan)"
        )
        #expect(passes, "OOF AUC \(result.oof?.rocAUC ?? .nan)")
        let decisions = SelectStage.decide([PairReportEntry(result)], rules: SelectionRules())
        #expect(result.holdout == nil, "no holdout was asked for")
        let noneSelected = decisions.allSatisfy { !$0.selected }
        #expect(noneSelected, "\(decisions.map { "\($0.pair): \($0.reason)" })")
    }

    /// Feeding the label itself in as a feature must make the harness fail: it can fail.
    @Test func aLeakyFeatureIsCaught() throws {
        var dataset = try Self.dataset(profile: .independent, pair: ("SYNA1USDT", "SYNA0USDT"))
        let width = dataset.featureNames.count
        var leaky: [Double] = []
        for row in 0..<dataset.count {
            leaky += dataset.features[(row * width)..<((row + 1) * width)]
            leaky.append(Double(dataset.labels[row] ?? 0))
        }
        dataset.features = leaky
        dataset.featureNames.append("label_leak")
        let result = try PairTrainer(settings: Self.settings).train(dataset)
        #expect(!Self.harnessPasses(result))
        #expect((result.oof?.rocAUC ?? 0) > 0.95)
    }

    @Test func sameSeedSameModelBytes() throws {
        let dataset = try Self.dataset(profile: .default, pair: ("SYNB1USDT", "SYNB0USDT"), days: 14)
        var settings = Self.settings
        settings.candidates = [Candidate(kind: .gbdt, maxDepth: 3, learningRate: 0.1)]
        let first = try PairTrainer(settings: settings).train(dataset)
        let second = try PairTrainer(settings: settings).train(dataset)
        #expect(first.model != nil && first.model == second.model)
        settings.fit.seed = 7
        settings.candidates = [Candidate(kind: .rf, maxDepth: 4, trees: 20, subsample: 0.6, columnSample: 0.6)]
        let forest = try PairTrainer(settings: settings).train(dataset)
        let forestAgain = try PairTrainer(settings: settings).train(dataset)
        #expect(forest.model == forestAgain.model)
    }

    @Test func tooFewRowsOrOneClassIsSkippedWithAReason() throws {
        var dataset = try Self.dataset(profile: .default, pair: ("SYNB1USDT", "SYNB0USDT"), days: 3)
        var settings = Self.settings
        settings.minRows = 10_000
        let short = try PairTrainer(settings: settings).train(dataset)
        #expect(short.status == "skipped" && short.reason?.hasPrefix("too few labelled rows") == true)
        dataset.labels = dataset.labels.map { $0.map { _ in 1 } }
        settings.minRows = 100
        let oneClass = try PairTrainer(settings: settings).train(dataset)
        #expect(oneClass.reason?.hasPrefix("a single class") == true)
    }
}

/// Ctrl-C during `mntrading train` (the command turns SIGINT into `shouldStop`): the pairs finished
/// so far stay recorded, the run is marked interrupted, and nothing downstream takes it for complete.
@Suite struct InterruptedTrainingTests {
    final class StopAfterFirstPair: @unchecked Sendable {
        // @unchecked Sendable: `calls` is only touched under `lock`.
        private let lock = NSLock()
        private var calls = 0
        func shouldStop() -> Bool {
            lock.withLock {
                calls += 1
                return calls > 1
            }
        }
    }

    @Test func anInterruptedRunIsMarkedAndKeepsWhatItFinished() throws {
        let directory = NSTemporaryDirectory() + "mntrading-interrupt-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let locations = Locations(dataDirectory: directory, modelsDirectory: directory)
        let store = try locations.openStore()
        let from = SyntheticMarket.origin, to = SyntheticMarket.origin + 20 * 86_400_000
        let symbols = ["SYNA1USDT", "SYNA0USDT", "SYNB1USDT", "SYNB0USDT"]
        _ = try Ingestor(store: store).run(
            .synthetic(SyntheticMarket(seed: 42)),
            IngestRequest(symbols: symbols, timeframe: .m5, since: from, until: to), now: to)
        let pairs = [PairID(a: "SYNA1USDT", b: "SYNA0USDT"), PairID(a: "SYNB1USDT", b: "SYNB0USDT")]
        _ = try FeatureStage(store: store).update(pairs: pairs, timeframe: .m5, parameters: HonestyTests.parameters)
        var definition = DatasetDefinition()
        definition.lagFeatures = 3
        definition.horizon = 12
        _ = try DatasetStage(store: store).build(definition, pairs: pairs, screeningRun: nil, now: to)
        let stopper = StopAfterFirstPair()
        let (report, _) = try TrainStage(store: store, locations: locations)
            .run(settings: HonestyTests.settings(holdoutDays: 3), now: to, shouldStop: { stopper.shouldStop() })
        #expect(report.pairs.count == 1)
        let (status, trained, stored) = try store.read { db -> (String?, Int?, Int?) in
            (
                try String.fetchOne(db, sql: "SELECT status FROM training_runs"),
                try Int.fetchOne(db, sql: "SELECT trained FROM training_runs"),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM training_pairs")
            )
        }
        #expect(status == "interrupted" && trained == 1 && stored == 1)
        // The finished pair's per-bar out-of-fold returns are stored: they compound to its backtest's return.
        let returns = try store.read { db in
            try Double.fetchAll(
                db, sql: "SELECT ret FROM oof_returns WHERE pair = ? ORDER BY open_time",
                arguments: [report.pairs[0].pair])
        }
        let backtest = try #require(report.pairs[0].backtest)
        #expect(returns.count == backtest.bars)
        #expect(abs(returns.reduce(1) { $0 * (1 + $1) } - 1 - backtest.cumulativeReturn) < 1e-9)
        #expect(
            throws: TrainingError.missingInput("no complete training run in the store; run `mntrading train` first")
        ) {
            _ = try SelectStage(store: store, locations: locations).run(rules: SelectionRules(), now: to)
        }
    }
}
