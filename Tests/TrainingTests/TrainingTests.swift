import Foundation
import GRDB
import Testing
@testable import MarketData
@testable import PairResearch
@testable import Portfolio
@testable import Training
@testable import ModelFormat

struct FoldTests {
    @Test(arguments: [nil, 400] as [Int?])
    func foldsArePurgedAndEmbargoed(maxTrainSize: Int?) throws {
        var cv = CrossValidation()
        cv.splits = 5
        cv.gap = 24
        cv.horizon = 3
        cv.maxTrainSize = maxTrainSize
        let folds = try cv.folds(rowBars: Array(0..<3_000))
        #expect(folds.count == 5)
        for fold in folds {
            // Every fitted row's label window ends before validation starts; validation ends `gap` rows before the test.
            #expect(fold.fit.upperBound - 1 + cv.horizon < fold.validation.lowerBound)
            #expect(fold.validation.upperBound + cv.gap <= fold.test.lowerBound)
            #expect(fold.validation.upperBound - 1 + cv.horizon < fold.test.lowerBound)
            if let maxTrainSize { #expect(fold.validation.upperBound - fold.fit.lowerBound <= maxTrainSize) }
            else { #expect(fold.fit.lowerBound == 0) }
        }
        // Test folds tile the data after the first block, in time order.
        #expect(folds.map(\.test.lowerBound) == [500, 1000, 1500, 2000, 2500])
        #expect(folds.last?.test.upperBound == 3_000)
    }
}

struct MetricTests {
    @Test func aucAndAveragePrecisionMatchHandComputedValues() {
        // scikit-learn: roc_auc_score([0,0,1,1], [0.1,0.4,0.35,0.8]) = 0.75; average_precision_score = 0.8333…
        let metrics = ClassificationMetrics(probabilities: [0.1, 0.4, 0.35, 0.8], labels: [0, 0, 1, 1])
        #expect(abs(metrics.rocAUC! - 0.75) < 1e-12)
        #expect(abs(metrics.prAUC! - 0.8333333333333333) < 1e-12)
        #expect(abs(metrics.brier - (0.01 + 0.16 + 0.4225 + 0.04) / 4) < 1e-12)
        #expect(metrics.positiveRate == 0.5)
        #expect(ClassificationMetrics(probabilities: [0.5, 0.5], labels: [1, 0]).rocAUC == 0.5)
        #expect(ClassificationMetrics(probabilities: [0.2, 0.9], labels: [1, 1]).rocAUC == nil)
    }

    @Test func calibrationIsMonotoneAndFitsTheRates() {
        var rng = SystemRandomNumberGenerator()
        let raw = (0..<4_000).map { _ in Double.random(in: 0.01...0.99, using: &rng) }
        // True probability is raw², so raw is over-confident: calibration must pull it down.
        let labels = raw.map { Double.random(in: 0...1, using: &rng) < $0 * $0 ? 1 : 0 }
        for method in [Calibration.Method.platt, .isotonic] {
            let fit = Calibration.fit(method, probabilities: raw, labels: labels)
            #expect(!fit.antiPredictive && fit.warning == nil)
            let grid = stride(from: 0.05, through: 0.95, by: 0.05).map { fit.calibration.apply($0) }
            #expect(zip(grid, grid.dropFirst()).allSatisfy { $0 <= $1 + 1e-12 }, "\(method) not monotone")
            #expect(abs(fit.calibration.apply(0.5) - 0.25) < 0.08, "\(method): \(fit.calibration.apply(0.5))")
        }
        #expect(Calibration.fit(.platt, probabilities: [0.3, 0.6], labels: [1, 1]).calibration == .none)
    }

    /// A model that ranks backwards is flagged, never inverted: the fitted map still increases.
    @Test func anAntiPredictiveModelIsFlaggedNotInverted() {
        var rng = SystemRandomNumberGenerator()
        let raw = (0..<3_000).map { _ in Double.random(in: 0.01...0.99, using: &rng) }
        let labels = raw.map { Double.random(in: 0...1, using: &rng) < 1 - $0 ? 1 : 0 }
        for method in [Calibration.Method.platt, .isotonic] {
            let fit = Calibration.fit(method, probabilities: raw, labels: labels)
            #expect(fit.antiPredictive, "\(method)")
            #expect(fit.calibration.isMonotoneIncreasing, "\(method)")
        }
        #expect(ClassificationMetrics.rankedBackwards(raw, labels))
        // No ranking is not a backwards ranking.
        let flat = (0..<3_000).map { Double($0) / 3_000 }
        #expect(!ClassificationMetrics.rankedBackwards(flat, (0..<3_000).map { $0 % 2 }))
    }

    /// Separable or constant inputs drive Platt's slope toward infinity (every probability 0 or 1):
    /// the fit stops at its bound, warns, and falls back to the raw probabilities.
    @Test func aDivergingPlattFitFallsBackWithAWarning() {
        let raw = (0..<400).map { 0.5 + Double($0 % 2) * 1e-9 }
        let labels = (0..<400).map { $0 % 2 }
        let fit = Calibration.fit(.platt, probabilities: raw, labels: labels)
        #expect(fit.calibration == .none)
        #expect(fit.warning?.contains("diverged") == true)
        #expect(!fit.antiPredictive)
    }
}

struct BacktestTests {
    @Test func spreadPnLWithFeesOnEachChange() {
        let positions: [Double] = [0, 1, 1, 0, -1]
        let movesA = [0.01, 0.02, -0.01, 0.03, 0.01]
        let movesB = [0.0, 0.0, 0.0, 0.0, 0.0]
        let betas = [1.0, 1.0, 1.0, 1.0, 1.0]
        let (result, returns) = Backtest.run(positions: positions, movesA: movesA, movesB: movesB, betas: betas,
                                             execution: Execution(feeRate: 0.001, slippageBps: 0, delayBars: 0), barsPerYear: 100)
        // Capital 1 + |β| = 2; fees on |Δposition|: 0, 1, 0, 1, 1.
        let expected = [0.0, 0.01 - 0.001, -0.005, -0.001, -0.005 - 0.001]
        for (a, b) in zip(returns, expected) { #expect(abs(a - b) < 1e-15) }
        #expect(result.trades == 2)
        #expect(result.exposure == 0.6)
        #expect(abs(result.hitRate! - 1.0 / 3.0) < 1e-12)
        #expect(result.maxDrawdown > 0)
    }

    /// A signal at bar t's close fills one bar later: the move from t to t+1 is not earned.
    @Test func theDefaultFillIsOneBarAfterTheSignalAndPaysSlippage() {
        let positions: [Double] = [1, 1, 0, 0]
        let movesA = [0.05, 0.01, 0.02, 0.0]
        let movesB = [0.0, 0.0, 0.0, 0.0]
        let betas = [0.0, 0.0, 0.0, 0.0]
        let execution = Execution()
        #expect(execution.delayBars == 1 && execution.slippageBps > 0)
        let (_, returns) = Backtest.run(positions: positions, movesA: movesA, movesB: movesB, betas: betas, execution: execution, barsPerYear: 100)
        let cost = execution.feeRate + execution.slippageBps / 10_000
        let expected = [0.0, 0.01 - cost, 0.02, -cost]
        for (a, b) in zip(returns, expected) { #expect(abs(a - b) < 1e-15, "\(returns)") }
        // The hedge is the one decided with the signal: β of bar t, not of the fill bar.
        let hedged = Backtest.run(positions: [1, 1, 0], movesA: [0, 0.02, 0], movesB: [0, 0.01, 0], betas: [2, 0, 0],
                                  execution: Execution(feeRate: 0, slippageBps: 0, delayBars: 1), barsPerYear: 100).returns
        #expect(abs(hedged[1] - (0.02 - 2 * 0.01) / 3) < 1e-15)
    }

    @Test func positionsAreHeldUntilTheSpreadCrossesItsMean() {
        let z = [0.5, 1.5, 1.0, 0.2, -0.1, -1.3, -0.4, 0.3]
        #expect(Backtest.zRulePositions(z: z, threshold: 1.2) == [0, -1, -1, -1, 0, 1, 1, 0])
        let p = [0.9, 0.2, 0.2, 0.9, 0.9, 0.1, 0.1, 0.1]
        #expect(Backtest.modelPositions(probabilities: p, z: z, threshold: 0.5, entryZ: 0) == [-1, -1, -1, -1, 1, 1, 1, 0])
        // With the label's stretch as the entry bar, unstretched bars never open a position.
        #expect(Backtest.modelPositions(probabilities: p, z: z, threshold: 0.5, entryZ: 1.2) == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(Backtest.modelPositions(probabilities: [0.9, 0.9, 0.9], z: [0.5, 1.5, 0.8], threshold: 0.5, entryZ: 1.2) == [0, -1, -1])
    }
}

/// Honesty: the trainer must not find an edge where there is none, and the harness must be able to fail.
@Suite(.serialized)
struct HonestyTests {
    static let parameters = FeatureParameters(betaWindow: 200, zWindow: 60)

    static func dataset(profile: SyntheticMarket.Profile, pair: (String, String), days: Int = 24,
                        label: LabelType = .revertDirection, seed: UInt64 = 11,
                        parameters: FeatureParameters = parameters, horizon: Int = 3) throws -> PairDataset {
        let market = SyntheticMarket(seed: seed, profile: profile)
        let series = try market.series(symbols: [pair.0, pair.1], timeframe: .m5, from: SyntheticMarket.origin,
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
        settings.candidates = [Candidate(kind: .gbdt, maxDepth: 3, learningRate: 0.1), Candidate(kind: .logistic, learningRate: 0.5)]
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
        try Self.expectNoEdge(try Self.dataset(profile: .independent, pair: ("SYNA1USDT", "SYNA0USDT"), days: 180, label: .zThreshold,
                                               parameters: FeatureParameters(betaWindow: 1000, zWindow: 1000), horizon: 96), horizon: 96)
    }

    static func expectNoEdge(_ dataset: PairDataset, horizon: Int = 3) throws {
        var settings = Self.settings
        settings.crossValidation.horizon = horizon
        let result = try PairTrainer(settings: settings).train(dataset)
        #expect(result.status == "trained", "\(result.reason ?? "")")
        let passes = Self.harnessPasses(result)
        print("independent \(dataset.pair): OOF AUC \(result.oof?.rocAUC ?? .nan), Sharpe \(result.backtest?.sharpe ?? .nan)")
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
        func shouldStop() -> Bool { lock.withLock { calls += 1; return calls > 1 } }
    }

    @Test func anInterruptedRunIsMarkedAndKeepsWhatItFinished() throws {
        let directory = NSTemporaryDirectory() + "mntrading-interrupt-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let locations = Locations(dataDirectory: directory, modelsDirectory: directory)
        let store = try locations.openStore()
        let from = SyntheticMarket.origin, to = SyntheticMarket.origin + 20 * 86_400_000
        let symbols = ["SYNA1USDT", "SYNA0USDT", "SYNB1USDT", "SYNB0USDT"]
        _ = try Ingestor(store: store).run(.synthetic(SyntheticMarket(seed: 42)),
                                           IngestRequest(symbols: symbols, timeframe: .m5, since: from, until: to), now: to)
        let pairs = [PairSelection.Pair(a: "SYNA1USDT", b: "SYNA0USDT"), PairSelection.Pair(a: "SYNB1USDT", b: "SYNB0USDT")]
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
            (try String.fetchOne(db, sql: "SELECT status FROM training_runs"), try Int.fetchOne(db, sql: "SELECT trained FROM training_runs"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM training_pairs"))
        }
        #expect(status == "interrupted" && trained == 1 && stored == 1)
        // The finished pair's per-bar out-of-fold returns are stored: they compound to its backtest's return.
        let returns = try store.read { db in
            try Double.fetchAll(db, sql: "SELECT ret FROM oof_returns WHERE pair = ? ORDER BY open_time", arguments: [report.pairs[0].pair])
        }
        let backtest = try #require(report.pairs[0].backtest)
        #expect(returns.count == backtest.bars)
        #expect(abs(returns.reduce(1) { $0 * (1 + $1) } - 1 - backtest.cumulativeReturn) < 1e-9)
        #expect(throws: TrainingError.invalidArgument("no complete training run in the store; run `mntrading train` first")) {
            _ = try SelectStage(store: store, locations: locations).run(rules: SelectionRules(), now: to)
        }
    }
}
