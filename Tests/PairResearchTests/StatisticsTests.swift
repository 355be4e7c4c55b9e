import Foundation
import Testing
@testable import MarketData
@testable import PairResearch

/// Numbers from statsmodels 0.14 (`adfuller`, `coint`) on the same inputs; CI also runs the broad
/// comparison in scripts/checks/check-statsmodels.py.
struct StatisticsTests {
    static let trendingSeries: [Double] = [
        1, 2, 1.5, 3, 2.2, 2.9, 3.5, 3.1, 4, 4.4, 3.9, 5, 5.2, 4.8, 6, 6.1, 5.5, 7, 7.2, 6.9, 8, 8.3, 7.7, 9, 9.1
    ]

    @Test func adfMatchesStatsmodelsOnAKnownSeries() throws {
        // adfuller(x, regression='c', autolag='AIC') → (0.9175853092837591, 0.9933155810934837, 7, 17,
        // {'1%': -3.889265672705068, '5%': -3.0543579727254224, '10%': -2.66698384083045})
        let result = try augmentedDickeyFuller(Self.trendingSeries, trend: .constant, lagSelection: .aic)
        #expect(abs(result.statistic - 0.9175853092837591) < 1e-9)
        #expect(abs(result.pValue - 0.9933155810934837) < 1e-9)
        #expect(result.usedLag == 7)
        #expect(result.observations == 17)
        #expect(abs(result.criticalValues.onePercent - -3.889265672705068) < 1e-12)
        #expect(abs(result.criticalValues.fivePercent - -3.0543579727254224) < 1e-12)
    }

    @Test func defaultMaxLagFollowsSchwert() {
        #expect(defaultMaxLag(observations: 5000, trend: .none) == 32)
        #expect(defaultMaxLag(observations: 100, trend: .constant) == 12)
        #expect(defaultMaxLag(observations: 20, trend: .constant) == 8)
    }

    @Test func perfectlyCollinearPairIsMinusInfinityNotACrash() throws {
        let x = (0..<500).map { 5 + sin(Double($0) / 7) + Double($0) * 0.01 }
        let y = x.map { 2 * $0 + 1 }
        let result = try engleGranger(y, x)
        #expect(result.collinear)
        #expect(result.statistic == -.infinity)
        #expect(result.pValue == 0)
        #expect(abs(result.beta - 2) < 1e-12)
    }

    @Test func degenerateInputsAreTypedErrors() {
        #expect(throws: StatisticsError.constantSeries) {
            try engleGranger(Array(repeating: 1.0, count: 300), (0..<300).map(Double.init))
        }
        #expect(throws: StatisticsError.nonFinite) {
            try augmentedDickeyFuller([1, 2, .nan] + (0..<100).map(Double.init))
        }
        #expect(throws: StatisticsError.self) { try augmentedDickeyFuller([1, 2, 3, 4]) }
        #expect(throws: StatisticsError.maxLagTooLarge(50, allowed: 48)) {
            try augmentedDickeyFuller((0..<100).map { sin(Double($0)) }, maxLag: 50)
        }
    }

    @Test func halfLifeOfAnAR1IsRecovered() throws {
        var rng = Xoshiro256(seed: 9)
        let phi = 0.9
        var series = [0.0]
        for _ in 0..<20_000 { series.append(phi * series.last! + rng.normal()) }
        let expected = -log(2) / log(phi)
        #expect(abs(try halfLife(series) / expected - 1) < 0.1)
        var explosive = [1.0]
        for _ in 0..<2_000 { explosive.append(explosive.last! * 1.001 + rng.normal() * 0.01) }
        #expect(try halfLife(explosive) == .infinity)
    }

    @Test func mackinnonTablesFollowThePaperWhereStatsmodelsHasATypo() {
        // N=2, constant, 1 %: the paper's β2 is −22.527 (statsmodels: −33.527).
        let nobs = 100.0
        let critical = mackinnonCriticalValues(regression: .c, n: 2, nobs: nobs)
        #expect(abs(critical.onePercent - (-3.89644 - 10.9519 / nobs - 22.527 / (nobs * nobs))) < 1e-12)
        #expect(mackinnonPValue(-.infinity, regression: .c, n: 2) == 0)
        #expect(mackinnonPValue(10, regression: .c, n: 2) == 1)
    }
}

/// The synthetic market's planted structure is the oracle for the screen.
struct ScreeningTests {
    static func market(seed: UInt64, profile: SyntheticMarket.Profile = .default) throws -> [Screener.Input] {
        let market = SyntheticMarket(seed: seed, profile: profile)
        let from = SyntheticMarket.origin, to = SyntheticMarket.origin + 366 * 86_400_000
        return try market.series(symbols: market.symbols, timeframe: .h1, from: from, to: to).map {
            Screener.Input(symbol: $0.symbol, bars: $0.bars)
        }
    }

    static let seeds: [UInt64] = [1, 2, 3, 4, 5, 6, 7, 42]

    @Test(arguments: [42, 7] as [UInt64])
    func findsThePlantedPairsWithTheirBeta(seed: UInt64) throws {
        let truth = SyntheticMarket(seed: seed).groundTruth
        let (selected, rejected) = Screener(parameters: ScreeningParameters()).screen(try Self.market(seed: seed))
        let selectedKeys = Set(selected.map { Set([$0.a, $0.b]) })
        let found = truth.plantedPairs.filter { selectedKeys.contains(Set([$0.a, $0.b])) }
        #expect(
            Double(found.count) / Double(truth.plantedPairs.count) >= 0.9,
            "recall \(found.count)/\(truth.plantedPairs.count)")
        for planted in truth.plantedPairs {
            guard let match = selected.first(where: { Set([$0.a, $0.b]) == Set([planted.a, planted.b]) }) else {
                continue
            }
            // Reported in the other direction, the slope is that of ln B on ln A: about 1/β.
            let estimate = match.a == planted.a ? match.beta! : 1 / match.beta!
            #expect(abs(estimate / planted.beta - 1) < 0.05, "\(planted.pair) β \(estimate) vs \(planted.beta)")
        }
        #expect(selected.count + rejected.count == 66)
        #expect(rejected.allSatisfy { $0.reason != nil && !$0.selected })
    }

    /// The false-positive rate is a proportion, and pairs sharing a symbol fail together, so one
    /// market says little; it is measured over a fixed set of seeds and both profiles: every pair
    /// that is not cointegrated (cross-cluster pairs of the default market, all pairs of the
    /// independent one). Measured: 27/480 (default), 21/528 (independent), 4.8 % overall.
    @Test func falsePositivesStayWithinThePValueCutOff() throws {
        var tested = 0, falsePositives = 0
        let parameters = ScreeningParameters()
        for seed in Self.seeds {
            for profile in SyntheticMarket.Profile.allCases {
                let truth = SyntheticMarket(seed: seed, profile: profile).groundTruth
                let independent = Set(truth.independentPairs.map { Set($0.components(separatedBy: "__")) })
                let (selected, _) = Screener(parameters: parameters).screen(
                    try Self.market(seed: seed, profile: profile))
                tested += independent.count
                falsePositives += selected.filter { independent.contains(Set([$0.a, $0.b])) }.count
            }
        }
        let rate = Double(falsePositives) / Double(tested)
        #expect(rate <= parameters.pvalueMax, "false positives \(falsePositives)/\(tested) = \(rate)")
    }

    @Test func badPairsAreSkippedWithAReason() {
        let good = (0..<300).map {
            Bar(openTime: Int64($0) * 3_600_000, open: 10, high: 11, low: 9, close: 10 + sin(Double($0)), volume: 1)
        }
        let flat = good.map { Bar(openTime: $0.openTime, open: 5, high: 5, low: 5, close: 5, volume: 1) }
        let elsewhere = good.map { bar -> Bar in
            var bar = bar
            bar.openTime += 10_000 * 3_600_000
            return bar
        }
        let short = Array(good.prefix(50))
        var parameters = ScreeningParameters()
        parameters.minSamples = 100
        let screener = Screener(parameters: parameters)
        let (_, rejected) = screener.screen([
            .init(symbol: "GOODUSDT", bars: good), .init(symbol: "FLATUSDT", bars: flat),
            .init(symbol: "AWAYUSDT", bars: elsewhere), .init(symbol: "SHORTUSDT", bars: short)
        ])
        let reasons = Dictionary(uniqueKeysWithValues: rejected.map { (Set([$0.a, $0.b]), $0.reason ?? "") })
        #expect(reasons[["FLATUSDT", "GOODUSDT"]] == "constant series")
        #expect(reasons[["AWAYUSDT", "GOODUSDT"]] == "no overlapping bars")
        #expect(reasons[["GOODUSDT", "SHORTUSDT"]]?.hasPrefix("too few common bars (50 < 100)") == true)
    }
}
