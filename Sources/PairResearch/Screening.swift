import Foundation
import MarketData
import Basics

public struct ScreeningParameters: Codable, Sendable, Equatable {
    public var timeframe: Timeframe = .h1
    public var minSamples = 200
    public var corrMin = 0.3
    public var pvalueMax = 0.05
    /// In bars of `timeframe`; nil keeps every reverting pair.
    public var halfLifeMax: Double?
    public var topK = 50
    public var maxLag: Int?
    public var lagSelection: LagSelection = .aic
    public var since: Int64?
    public var until: Int64?
    /// The symbols to pair up; nil: every symbol with bars at `timeframe` in the store.
    public var symbols: [String]?

    public init() {}

    public func validate() throws {
        func fail(_ text: String) -> MarketDataError { .invalidArgument(text) }
        guard minSamples >= 20 else { throw fail("--min-samples must be at least 20 (got \(minSamples))") }
        guard (-1...1).contains(corrMin) else { throw fail("--corr-min must be between -1 and 1 (got \(corrMin))") }
        guard pvalueMax > 0, pvalueMax <= 1 else { throw fail("--pvalue-max must be in (0, 1] (got \(pvalueMax))") }
        if let halfLifeMax { guard halfLifeMax > 0 else { throw fail("--half-life-max must be positive (got \(halfLifeMax))") } }
        guard topK >= 1 else { throw fail("--top-k must be at least 1 (got \(topK))") }
        if let maxLag { guard maxLag >= 0 else { throw fail("--max-lag must not be negative") } }
        if let symbols { guard Set(symbols).count >= 2 else { throw fail("--symbols needs at least two different symbols to pair") } }
    }
}

/// One tested pair: the Engle–Granger result in the chosen direction, and whether it passed.
public struct ScreenedPair: Codable, Sendable, Equatable {
    public struct Critical: Codable, Sendable, Equatable {
        public var onePercent: Double
        public var fivePercent: Double
        public var tenPercent: Double
        enum CodingKeys: String, CodingKey { case onePercent = "1%", fivePercent = "5%", tenPercent = "10%" }
    }

    /// `<A>__<B>`: ln A regressed on ln B.
    public var pair: String
    public var a: String
    public var b: String
    public var beta: Double?
    public var alpha: Double?
    public var adfStat: Double?
    public var pvalue: Double?
    /// p-value with the legs swapped (B regressed on A); selection needs both to pass.
    public var pvalueReverse: Double?
    public var lags: Int?
    /// Bars; nil when the spread does not revert.
    public var halfLife: Double?
    public var corr: Double?
    public var n: Int
    public var crit: Critical?
    public var selected: Bool
    /// Why a pair was not selected.
    public var reason: String?

    /// The larger of the two directions' p-values: what selection and ranking use.
    public var worstPValue: Double { max(pvalue ?? 1, pvalueReverse ?? 1) }
}

public struct ScreeningRun: Codable, Sendable, Equatable {
    public var runId: String
    public var createdAt: String
    public var timeframe: String
    public var parameters: ScreeningParameters
    public var symbols: [String]
    public var pairsTested: Int
    /// Selected pairs, best (smallest p-value) first.
    public var pairs: [ScreenedPair]
    public var rejected: [ScreenedPair]
    /// First bar's open and last bar's close of the bars screened (ms): the later stages' scored
    /// periods must start after it.
    public var window: [Int64]?
    public var windowText: [String]?
    /// How many pairs each rule removed.
    public var rejectedBy: [String: Int]?

    /// Rejections counted by the rule that made them.
    public static func tally(_ rejected: [ScreenedPair]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for pair in rejected { counts[rule(of: pair.reason ?? ""), default: 0] += 1 }
        return counts
    }

    static func rule(of reason: String) -> String {
        let rules = [("outside the top", "--top-k"), ("does not revert", "no finite half-life"), ("correlation of returns", "--corr-min"),
                     ("p-value", "--pvalue-max"), ("half-life", "--half-life-max"), ("too few common bars", "--min-samples")]
        return rules.first { reason.hasPrefix($0.0) || reason.contains($0.0) }?.1 ?? reason
    }

    /// "12 by --pvalue-max, 3 by --corr-min", largest first.
    public var rejectionSummary: String {
        (rejectedBy ?? [:]).sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.value) by \($0.key)" }.joined(separator: ", ")
    }
}

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

    public func screen(_ inputs: [Input], progress: ProgressReporter = .silent) -> (selected: [ScreenedPair], rejected: [ScreenedPair]) {
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
        var result = ScreenedPair(pair: PairID(a: first.symbol, b: second.symbol).text, a: first.symbol, b: second.symbol, n: joined.count, selected: false)
        func reject(_ reason: String) -> ScreenedPair {
            result.reason = reason
            return result
        }
        guard joined.count > 0 else { return reject("no overlapping bars") }
        guard joined.count >= parameters.minSamples else { return reject("too few common bars (\(joined.count) < \(parameters.minSamples))") }
        guard (joined.closeA + joined.closeB).allSatisfy({ $0.isFinite && $0 > 0 }) else { return reject("non-finite or non-positive prices") }
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
            result = ScreenedPair(pair: PairID(a: second.symbol, b: first.symbol).text, a: second.symbol, b: first.symbol,
                                  corr: correlation, n: joined.count, selected: false)
        }
        result.beta = chosen.beta
        result.alpha = chosen.alpha
        result.adfStat = chosen.statistic.isFinite ? chosen.statistic : nil
        result.pvalue = chosen.pValue
        result.pvalueReverse = (keepForward ? backward : forward).pValue
        result.lags = chosen.usedLag
        result.crit = .init(onePercent: chosen.criticalValues.onePercent, fivePercent: chosen.criticalValues.fivePercent,
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
            return reject("p-value \(format(chosen.pValue)) (reverse direction \(format(result.pvalueReverse ?? 1))) > \(format(parameters.pvalueMax))")
        }
        guard life.isFinite else { return reject("spread does not revert (no finite half-life)") }
        if let limit = parameters.halfLifeMax, life > limit {
            return reject("half-life \(format(life)) bars > \(format(limit))")
        }
        return result
    }

    private func format(_ value: Double) -> String { String(format: "%.4g", value) }
}

/// Maps in parallel over both cores (or however many there are), keeping the order of `items`.
package func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
    let results = UnsafeResults<R>(count: items.count)
    DispatchQueue.concurrentPerform(iterations: items.count) { index in
        results.set(index, transform(items[index]))
    }
    return results.values
}

/// Slots written once each, by distinct indices, from concurrent workers.
private final class UnsafeResults<R>: @unchecked Sendable {
    // @unchecked Sendable: every index is written by exactly one iteration of concurrentPerform and
    // read only after it returns, so no slot is ever accessed concurrently.
    // A raw buffer, not an array property: Swift's exclusivity checks would flag concurrent
    // writes to one array even at different indices.
    private let slots: UnsafeMutablePointer<R?>
    private let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }
    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
    func set(_ index: Int, _ value: R) { slots[index] = value }
    var values: [R] { (0..<count).map { slots[$0]! } }
}
