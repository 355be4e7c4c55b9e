import Foundation
import MarketData
import Basics

/// Engle–Granger screening of every symbol pair in the store.
///
/// Direction: the test is not symmetric, so both directions are tested. A pair passes only when both
/// p-values are ≤ the cut-off — taking the better of two tests would double the false-positive rate —
/// and is reported in the direction with the smaller p-value (then the more negative statistic); the
/// pair id names the regressed leg first. Log prices; correlation is of log returns; half-life is the
/// AR(1) half-life of the residual spread, in bars.
public struct Screener: Sendable {
    public let parameters: ScreeningParameters

    public init(parameters: ScreeningParameters) { self.parameters = parameters }

    public struct Input: Sendable {
        public var symbol: String
        public var bars: [Bar]
        public init(symbol: String, bars: [Bar]) {
            self.symbol = symbol
            self.bars = bars
        }
    }

    public func screen(_ inputs: [Input], progress: ProgressReporter = .silent) -> (
        selected: [ScreenedPair], rejected: [ScreenedPair]
    ) {
        let sorted = inputs.sorted { $0.symbol < $1.symbol }
        var jobs: [(Int, Int)] = []
        for i in sorted.indices { for j in (i + 1)..<sorted.count { jobs.append((i, j)) } }
        progress.start("screening \(jobs.count) pairs", total: jobs.count)
        let results = parallelMap(jobs) { job -> ScreenedPair in
            defer { progress.advance(by: 1) }
            return test(sorted[job.0], sorted[job.1])
        }
        progress.finish()
        var passing = results.filter { $0.reason == nil }
        passing.sort { ($0.worstPValue, $0.pvalue ?? 1, $0.pair) < ($1.worstPValue, $1.pvalue ?? 1, $1.pair) }
        var rejected = results.filter { $0.reason != nil }
        for index in passing.indices.dropFirst(parameters.topK) {
            passing[index].selected = false
            passing[index].reason = "outside the top \(parameters.topK) by p-value"
        }
        rejected.append(contentsOf: passing.dropFirst(parameters.topK))
        let selected = passing.prefix(parameters.topK).map { pair -> ScreenedPair in
            var pair = pair
            pair.selected = true
            return pair
        }
        rejected.sort { $0.pair < $1.pair }
        return (Array(selected), rejected)
    }

    /// One pair through every rule but top-k: `reason` is nil when it passes.
    public func test(_ first: Input, _ second: Input) -> ScreenedPair {
        let joined = PairBars(a: first.bars, b: second.bars)
        var result = ScreenedPair(
            pair: PairID(a: first.symbol, b: second.symbol).text, a: first.symbol, b: second.symbol, n: joined.count,
            selected: false)
        func reject(_ reason: String) -> ScreenedPair {
            result.reason = reason
            return result
        }
        guard joined.count > 0 else { return reject("no overlapping bars") }
        guard joined.count >= parameters.minSamples else {
            return reject("too few common bars (\(joined.count) < \(parameters.minSamples))")
        }
        guard (joined.closeA + joined.closeB).allSatisfy({ $0.isFinite && $0 > 0 }) else {
            return reject("non-finite or non-positive prices")
        }
        let logA = joined.closeA.map { log($0) }
        let logB = joined.closeB.map { log($0) }
        guard let correlation = pearsonCorrelation(logReturns(joined.closeA), logReturns(joined.closeB)) else {
            return reject("constant series")
        }
        result.corr = correlation
        let forward: CointegrationResult, backward: CointegrationResult
        do {
            forward = try engleGranger(logA, logB, maxLag: parameters.maxLag, lagSelection: parameters.lagSelection)
            backward = try engleGranger(logB, logA, maxLag: parameters.maxLag, lagSelection: parameters.lagSelection)
        } catch {
            return reject("\(error)")
        }
        let keepForward = (forward.pValue, forward.statistic) <= (backward.pValue, backward.statistic)
        let chosen = keepForward ? forward : backward
        if !keepForward {
            result = ScreenedPair(
                pair: PairID(a: second.symbol, b: first.symbol).text, a: second.symbol, b: first.symbol,
                corr: correlation, n: joined.count, selected: false)
        }
        result.beta = chosen.beta
        result.alpha = chosen.alpha
        result.adfStat = chosen.statistic.isFinite ? chosen.statistic : nil
        result.pvalue = chosen.pValue
        result.pvalueReverse = (keepForward ? backward : forward).pValue
        result.lags = chosen.usedLag
        result.crit = .init(
            onePercent: chosen.criticalValues.onePercent, fivePercent: chosen.criticalValues.fivePercent,
            tenPercent: chosen.criticalValues.tenPercent)
        if chosen.collinear { return reject("perfectly collinear: the spread has no variance") }
        let (y, x) = keepForward ? (logA, logB) : (logB, logA)
        let spread = zip(y, x).map { $0 - chosen.alpha - chosen.beta * $1 }
        let life = (try? halfLife(spread)) ?? .infinity
        result.halfLife = life.isFinite ? life : nil
        if correlation < parameters.corrMin {
            return reject("correlation of returns \(format(correlation)) < \(format(parameters.corrMin))")
        }
        if result.worstPValue > parameters.pvalueMax {
            return reject(
                "p-value \(format(chosen.pValue)) (reverse direction \(format(result.pvalueReverse ?? 1))) > \(format(parameters.pvalueMax))"
            )
        }
        guard life.isFinite else { return reject("spread does not revert (no finite half-life)") }
        if let limit = parameters.halfLifeMax, life > limit {
            return reject("half-life \(format(life)) bars > \(format(limit))")
        }
        return result
    }

    private func format(_ value: Double) -> String { String(format: "%.4g", value) }
}
