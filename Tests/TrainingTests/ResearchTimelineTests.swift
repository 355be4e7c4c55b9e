import Foundation
import TestSupport
import GRDB
import Testing
import TrainingRecords
@testable import MarketData
@testable import ModelFormat
@testable import PairResearch
@testable import Backtest
@testable import Training

/// No choice is made on data it is then scored on: the holdout, the folds and the calibration.
@Suite(.serialized)
struct ResearchTimelineTests {
    static func dataset(days: Int = 30) throws -> PairDataset {
        try HonestyTests.dataset(
            profile: .default, pair: ("SYNB1USDT", "SYNB0USDT"), days: days, label: .zThreshold, seed: 42,
            parameters: FeatureParameters(betaWindow: 300, zWindow: 300), horizon: 12)
    }

    static var settings: TrainingSettings {
        var settings = HonestyTests.settings
        settings.crossValidation.horizon = 12
        settings.entryZ = 1.2
        // Low enough that the holdout trades, so that its figures can differ.
        settings.probaThreshold = 0.3
        settings.candidates = [
            Candidate(kind: .gbdt, maxDepth: 3, learningRate: 0.1), Candidate(kind: .logistic, learningRate: 0.5)
        ]
        settings.fit.maxRounds = 30
        return settings
    }

    /// Everything at or after `from` (features, labels, moves) replaced by other values.
    static func scrambled(_ dataset: PairDataset, from index: Int) -> PairDataset {
        var copy = dataset
        let width = dataset.featureNames.count
        for row in index..<dataset.count {
            for column in 0..<width { copy.features[row * width + column] = Double((row * 31 + column * 7) % 17) - 8 }
            copy.labels[row] = copy.labels[row].map { 1 - $0 }
            copy.nextMovesA[row] = copy.nextMovesA[row].map { -$0 * 3 }
            copy.z[row] = -copy.z[row]
        }
        return copy
    }

    /// The holdout's bars change nothing the trainer chose: the same model bytes, champion,
    /// calibration and out-of-fold predictions; only the holdout figures move.
    @Test func theHoldoutIsSeenByNoChoice() throws {
        let dataset = try Self.dataset()
        let holdoutStart = dataset.openTimes[dataset.count * 4 / 5]
        let trainer = PairTrainer(settings: Self.settings)
        let original = try trainer.train(dataset, holdoutStart: holdoutStart)
        #expect(original.status == "trained", "\(original.reason ?? "")")
        let holdoutIndex = dataset.openTimes.firstIndex(of: holdoutStart)!
        let changed = try trainer.train(Self.scrambled(dataset, from: holdoutIndex), holdoutStart: holdoutStart)
        #expect(changed.model == original.model)
        #expect(changed.championName == original.championName)
        #expect(changed.calibration == original.calibration)
        #expect(changed.oofPredictions == original.oofPredictions)
        #expect(changed.backtest == original.backtest)
        #expect((original.holdout?.trades ?? 0) > 0)
        #expect(changed.holdout != original.holdout)
        // And the training rows end before the holdout by at least the label horizon.
        let lastTrained = try #require(original.trainingWindow.last)
        #expect(lastTrained < holdoutStart)
        let lastIndex = dataset.openTimes.firstIndex(of: lastTrained)!
        #expect(lastIndex + 12 < holdoutIndex)
        #expect(original.holdoutWindow.first == holdoutStart)
    }

    /// Each fold is calibrated by what came before it: changing a later fold's bars leaves the
    /// earlier folds' calibrated predictions bit for bit as they were.
    @Test func eachFoldIsCalibratedOnEarlierFoldsOnly() throws {
        let dataset = try Self.dataset()
        let trainer = PairTrainer(settings: Self.settings)
        let original = try trainer.train(dataset)
        let lastFold = try #require(original.oofPredictions.map(\.fold).max())
        let firstOfLast = try #require(original.oofPredictions.first { $0.fold == lastFold }?.time)
        let index = dataset.openTimes.firstIndex(of: firstOfLast)!
        let changed = try trainer.train(Self.scrambled(dataset, from: index))
        let before = original.oofPredictions.filter { $0.fold < lastFold }
        #expect(!before.isEmpty)
        #expect(changed.oofPredictions.filter { $0.fold < lastFold } == before)
        // The OOF AUC is the cross-fitted one, not one fitted on the figures it reports.
        #expect(
            original.oof
                == ClassificationMetrics(
                    probabilities: original.oofPredictions.map(\.calibrated),
                    labels: original.oofPredictions.map(\.label)))
    }

    /// Walk-forward screening: the screen repeated before each scored period, on bars before it only.
    @Test func aPairTheScreenNoLongerKeepsTakesNoPosition() throws {
        let dataset = try Self.dataset()
        let holdoutStart = dataset.openTimes[dataset.count * 4 / 5]
        let start = SyntheticMarket.origin, end = dataset.openTimes.last! + 300_000
        let series = try SyntheticMarket(seed: 42).series(
            symbols: ["SYNB1USDT", "SYNB0USDT"], timeframe: .h1, from: start, to: end)
        // The rules decide, not the data: one screen that keeps every pair, one that keeps none.
        func screen(pvalueMax: Double) -> WalkForwardScreen {
            var parameters = ScreeningParameters()
            parameters.minSamples = 100
            parameters.corrMin = -1
            parameters.pvalueMax = pvalueMax
            return WalkForwardScreen(
                parameters: parameters, length: 30 * 86_400_000, a: "SYNB1USDT", barsA: series[0].bars, b: "SYNB0USDT",
                barsB: series[1].bars)
        }
        let trainer = PairTrainer(settings: Self.settings)
        let kept = try trainer.train(dataset, holdoutStart: holdoutStart, screen: screen(pvalueMax: 1))
        #expect(
            kept.rescreens.count == 4 && kept.rescreens.allSatisfy { $0.passed == true },
            "\(kept.rescreens.map { ($0.pvalue, $0.reason) })")
        #expect((kept.backtest?.trades ?? 0) > 0 && kept.holdoutRescreen?.passed == true)
        #expect(kept.backtest == (try trainer.train(dataset, holdoutStart: holdoutStart)).backtest)
        let stopped = try trainer.train(dataset, holdoutStart: holdoutStart, screen: screen(pvalueMax: 1e-300))
        #expect(
            stopped.rescreens.allSatisfy { $0.passed == false } && stopped.holdoutRescreen?.passed == false,
            "\(stopped.rescreens)")
        #expect(stopped.backtest?.trades == 0 && stopped.holdout?.trades == 0)
        var entry = PairReportEntry(stopped)
        entry.antiPredictive = false
        let decision = SelectStage.decide([entry], rules: SelectionRules())[0]
        #expect(decision.reason.hasPrefix("no longer passes the screen before the holdout"), "\(decision.reason)")
        // A re-screen at T reads bars that close by T only: later bars change nothing.
        let walk = screen(pvalueMax: 0.05)
        let time = kept.rescreens[2].time
        let later = WalkForwardScreen(
            parameters: walk.parameters, length: walk.length, a: "SYNB1USDT",
            barsA: walk.barsA.map {
                var bar = $0
                if bar.openTime + 3_600_000 > time { bar.close *= 3 }
                return bar
            },
            b: "SYNB0USDT", barsB: walk.barsB)
        #expect(later.check(at: time) == walk.check(at: time))
    }

    @Test func foldsAreExactlyAsAskedOrSayWhyNot() throws {
        var cv = CrossValidation()
        cv.splits = 5
        cv.horizon = 96
        cv.gap = 24
        cv.minTrainRows = 200
        // Labelled rows on every third bar.
        let rowBars = (0..<6_000).map { $0 * 3 }
        let folds = try cv.folds(rowBars: rowBars)
        #expect(folds.count == 5)
        for fold in folds {
            #expect(fold.fit.count >= 200)
            // Purge and embargo in bars.
            #expect(rowBars[fold.fit.upperBound - 1] + cv.horizon < rowBars[fold.validation.lowerBound])
            #expect(rowBars[fold.validation.upperBound - 1] + max(cv.horizon, cv.gap) < rowBars[fold.test.lowerBound])
        }
        #expect(folds.last?.test.upperBound == rowBars.count)
        do {
            _ = try cv.folds(rowBars: Array(rowBars.prefix(900)))
            Issue.record("900 rows cannot give 5 folds of 200 fitted rows")
        } catch let error as TrainingError {
            #expect(error.description.contains("5 walk-forward folds of at least 200 fitted rows"))
            #expect(error.description.contains("this pair has 900"))
        }
    }

    @Test func normalQuantileAndDeflatedSharpeMatchReferenceValues() {
        // scipy.stats.norm.ppf
        #expect(abs(Normal.quantile(0.975) - 1.959963984540054) < 1e-12)
        #expect(abs(Normal.quantile(0.01) - -2.3263478740408408) < 1e-12)
        #expect(abs(Normal.quantile(0.999) - 3.090232306167813) < 1e-12)
        // E[max] over skill-less trials: 0 for one trial, growing with their number.
        #expect(DeflatedSharpe.expectedMaximum(trials: 1, trialVariance: 1) == 0)
        let ten = DeflatedSharpe.expectedMaximum(trials: 10, trialVariance: 1)
        let thousand = DeflatedSharpe.expectedMaximum(trials: 1000, trialVariance: 1)
        // (1−γ)Φ⁻¹(0.9) + γΦ⁻¹(1 − 1/(10e)), computed by hand with scipy.
        #expect(abs(ten - (0.42278433509846713 * 1.2815515655446004 + 0.5772156649015329 * 1.7892417645816283)) < 1e-9)
        #expect(thousand > ten)
        // The deflation bites: the same returns are less convincing the more trials they were chosen from.
        var generator = SeededRandom(seed: 3)
        let returns = (0..<2_000).map { _ in generator.normal() * 0.01 + 0.0015 }
        let one = DeflatedSharpe.ratio(returns: returns, independentTrials: 1)!
        let many = DeflatedSharpe.ratio(returns: returns, independentTrials: 200)!
        #expect(one > many)
        #expect(abs(one - DeflatedSharpe.probabilistic(ReturnStatistics(returns), benchmark: 0)!) < 1e-15)
    }

    /// Pure noise: choosing the best in sample is a coin flip out of sample (PBO near or above ½);
    /// one trial with a real edge among noise: the choice holds (PBO near 0).
    @Test func probabilityOfBacktestOverfittingSeparatesSkillFromLuck() {
        var generator = SeededRandom(seed: 11)
        let noise = (0..<20).map { _ in (0..<1_600).map { _ in generator.normal() } }
        let lucky = BacktestOverfitting.estimate(noise)!
        #expect(lucky.splits == 12_870 && lucky.blocks == 16)
        #expect(lucky.pbo > 0.3, "PBO \(lucky.pbo)")
        var skilled = noise
        skilled[7] = skilled[7].map { $0 + 0.3 }
        let real = BacktestOverfitting.estimate(skilled)!
        #expect(real.pbo < 0.05, "PBO \(real.pbo)")
        #expect(BacktestOverfitting.estimate([noise[0]]) == nil)
        #expect(
            BacktestOverfitting.estimate([[Double](repeating: 0, count: 1_600), [Double](repeating: 0, count: 1_600)])
                == nil)
    }

    @Test func correlatedTrialsCountOnce() {
        var generator = SeededRandom(seed: 5)
        let base = (0..<1_000).map { _ in generator.normal() }
        let near = base.map { $0 + 0.1 * generator.normal() }
        let other = (0..<1_000).map { _ in generator.normal() }
        #expect(TrialClusters.count([base, near, other]) == 2)
        #expect(TrialClusters.count([base]) == 1)
    }

    /// A screen that saw the scored bars makes every figure in sample: guardrails refuse all,
    /// and without guardrails the selection says so.
    @Test func inSampleFiguresAreRefusedLoudly() throws {
        let dataset = try Self.dataset()
        var result = try PairTrainer(settings: Self.settings).train(
            dataset, holdoutStart: dataset.openTimes[dataset.count * 4 / 5])
        result.deflatedSharpe = 0.999
        let entry = PairReportEntry(result)
        let overlapping = ResearchTimeline(
            screeningRunId: "s", screenWindow: [0, dataset.openTimes.last!], firstScoredTime: dataset.openTimes[100])
        let reason = try #require(overlapping.inSampleReason)
        let refused = SelectStage.decide([entry], rules: SelectionRules(), inSample: reason)
        #expect(refused.allSatisfy { !$0.selected && $0.reason.hasPrefix("figures in sample") })
        let forced = SelectStage.decide([entry], rules: .none, inSample: reason)
        #expect(
            forced.allSatisfy {
                $0.selected && $0.reason.contains("without guardrails") && $0.reason.contains("in sample")
            })
        let before = ResearchTimeline(
            screeningRunId: "s", screenWindow: [0, dataset.openTimes[50]], firstScoredTime: dataset.openTimes[100])
        #expect(before.inSampleReason == nil)
        #expect(ResearchTimeline(screeningRunId: nil, screenWindow: nil, firstScoredTime: 1).inSampleReason != nil)
    }

    @Test func selectionNeedsMoneyOutOfSampleNotAUC() throws {
        let dataset = try Self.dataset()
        var result = try PairTrainer(settings: Self.settings).train(
            dataset, holdoutStart: dataset.openTimes[dataset.count * 4 / 5])
        result.oof?.rocAUC = 0.99
        result.deflatedSharpe = 0.99
        result.antiPredictive = false
        result.backtest?.sharpe = 3
        result.backtest?.trades = 50
        result.backtest?.maxDrawdown = 0.05
        result.holdout?.sharpe = -0.5
        let failing = SelectStage.decide([PairReportEntry(result)], rules: SelectionRules())
        #expect(!failing[0].selected && failing[0].reason.hasPrefix("holdout Sharpe"))
        result.holdout?.sharpe = 1
        result.backtest?.trades = 3
        #expect(
            SelectStage.decide([PairReportEntry(result)], rules: SelectionRules())[0].reason.hasPrefix("3 OOF trades"))
        result.backtest?.trades = 50
        result.deflatedSharpe = 0.6
        #expect(
            SelectStage.decide([PairReportEntry(result)], rules: SelectionRules())[0].reason.hasPrefix(
                "Deflated Sharpe"))
        result.deflatedSharpe = 0.99
        #expect(SelectStage.decide([PairReportEntry(result)], rules: SelectionRules())[0].selected)
        result.antiPredictive = true
        #expect(
            SelectStage.decide([PairReportEntry(result)], rules: SelectionRules())[0].reason.hasPrefix(
                "anti-predictive"))
    }
}
