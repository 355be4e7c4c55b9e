import Foundation
import TestSupport
import Testing
import Store
@testable import MarketData

struct SyntheticMarketTests {
    static let day: Int64 = 86_400_000
    static let start = SyntheticMarket.origin + 30 * day

    @Test func sameSeedSameMarketOtherSeedOtherMarket() throws {
        let symbols = ["SYNA0USDT", "SYNA1USDT", "SYNX0USDT"]
        let first = try SyntheticMarket(seed: 7).series(
            symbols: symbols, timeframe: .m5, from: Self.start, to: Self.start + 2 * Self.day)
        let again = try SyntheticMarket(seed: 7).series(
            symbols: symbols, timeframe: .m5, from: Self.start, to: Self.start + 2 * Self.day)
        let other = try SyntheticMarket(seed: 8).series(
            symbols: symbols, timeframe: .m5, from: Self.start, to: Self.start + 2 * Self.day)
        #expect(first == again)
        #expect(first[0].bars.count == 576)
        #expect(first[0].bars != other[0].bars)
        #expect(SyntheticMarket(seed: 7).groundTruth == SyntheticMarket(seed: 7).groundTruth)
        #expect(SyntheticMarket(seed: 7).groundTruth.plantedPairs != SyntheticMarket(seed: 8).groundTruth.plantedPairs)
    }

    /// A bar is the same whichever range, and whichever other symbols, asked for it.
    @Test func barsDoNotDependOnTheRequestedRange() throws {
        let market = SyntheticMarket(seed: 42)
        let wide = try market.series(
            symbols: market.symbols, timeframe: .m5, from: Self.start, to: Self.start + 3 * Self.day)
        let narrow = try market.series(
            symbols: ["SYNB1USDT"], timeframe: .m5, from: Self.start + Self.day + 12_345, to: Self.start + 2 * Self.day)
        let wideB1 = try #require(wide.first { $0.symbol == "SYNB1USDT" })
        let expected = wideB1.bars.filter {
            $0.openTime >= Self.start + Self.day + 12_345 && $0.openTime < Self.start + 2 * Self.day
        }
        #expect(!expected.isEmpty)
        #expect(narrow[0].bars == expected)
    }

    /// 1h bars equal the aggregation of the twelve 5m bars inside each hour, computed here independently.
    @Test func hourlyBarsAreTheAggregationOfFiveMinuteBars() throws {
        let market = SyntheticMarket(seed: 42)
        let fine = try market.series(
            symbols: ["SYNA1USDT", "SYNX2USDT"], timeframe: .m5, from: Self.start, to: Self.start + 2 * Self.day)
        let hourly = try market.series(
            symbols: ["SYNA1USDT", "SYNX2USDT"], timeframe: .h1, from: Self.start, to: Self.start + 2 * Self.day)
        for (fiveMinute, hour) in zip(fine, hourly) {
            #expect(hour.bars.count == 48)
            for (index, bar) in hour.bars.enumerated() {
                let parts = Array(fiveMinute.bars[(index * 12)..<(index * 12 + 12)])
                #expect(parts.allSatisfy { $0.openTime >= bar.openTime && $0.openTime < bar.openTime + 3_600_000 })
                #expect(bar.openTime == parts[0].openTime)
                #expect(bar.open == parts[0].open)
                #expect(bar.close == parts[11].close)
                #expect(bar.high == parts.map(\.high).max())
                #expect(bar.low == parts.map(\.low).min())
                var volume = 0.0
                for part in parts { volume += part.volume }
                #expect(bar.volume == volume)
            }
        }
    }

    @Test func barsAreProperOHLCAndContinuous() throws {
        let market = SyntheticMarket(seed: 3)
        for series in try market.series(
            symbols: market.symbols, timeframe: .m5, from: Self.start, to: Self.start + Self.day)
        {
            for bar in series.bars {
                #expect(bar.defect == nil, "\(series.symbol) \(bar)")
                #expect(bar.volume > 0)
            }
            for (previous, next) in zip(series.bars, series.bars.dropFirst()) {
                #expect(next.openTime - previous.openTime == 300_000)
                #expect(next.open == previous.close)
            }
        }
    }

    /// The planted spread ln A − β·ln B − α is the OU process: mean near zero, standard deviation
    /// near the planted one, and an AR(1) half-life near the planted half-life.
    @Test func plantedSpreadsRevertWithThePlantedHalfLife() throws {
        let market = SyntheticMarket(seed: 42)
        let truth = market.groundTruth
        #expect(truth.plantedPairs.count == 5)
        for pair in truth.plantedPairs {
            let series = try market.series(
                symbols: [pair.a, pair.b], timeframe: .h1, from: SyntheticMarket.origin,
                to: SyntheticMarket.origin + 365 * Self.day)
            let spread = zip(series[0].bars, series[1].bars).map {
                log($0.close) - pair.beta * log($1.close) - pair.alpha
            }
            let mean = spread.reduce(0, +) / Double(spread.count)
            let sd = (spread.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(spread.count)).squareRoot()
            #expect(abs(mean) < 0.3 * pair.spreadStdDev, "\(pair.pair) mean \(mean)")
            #expect(abs(sd / pair.spreadStdDev - 1) < 0.2, "\(pair.pair) sd \(sd) vs \(pair.spreadStdDev)")
            var sxy = 0.0, sxx = 0.0
            for (x, y) in zip(spread, spread.dropFirst()) {
                sxy += (x - mean) * (y - mean)
                sxx += (x - mean) * (x - mean)
            }
            let halfLife = -log(2) / log(sxy / sxx)
            #expect(
                abs(halfLife / pair.halfLifeHours - 1) < 0.3,
                "\(pair.pair) half-life \(halfLife) h vs \(pair.halfLifeHours) h")
        }
    }

    @Test func returnsAreFatTailedAndCrossClusterPairsCorrelated() throws {
        let market = SyntheticMarket(seed: 42)
        let series = try market.series(
            symbols: ["SYNA0USDT", "SYNB0USDT"], timeframe: .m5, from: Self.start, to: Self.start + 60 * Self.day)
        let returns = series.map { s in zip(s.bars, s.bars.dropFirst()).map { log($1.close / $0.close) } }
        let r = returns[0]
        let mean = r.reduce(0, +) / Double(r.count)
        let variance = r.map { pow($0 - mean, 2) }.reduce(0, +) / Double(r.count)
        let kurtosis = r.map { pow($0 - mean, 4) }.reduce(0, +) / Double(r.count) / (variance * variance)
        #expect(kurtosis > 3.5, "excess kurtosis expected, got \(kurtosis)")
        let other = returns[1]
        let meanOther = other.reduce(0, +) / Double(other.count)
        let covariance = zip(r, other).map { ($0 - mean) * ($1 - meanOther) }.reduce(0, +) / Double(r.count)
        let varianceOther = other.map { pow($0 - meanOther, 2) }.reduce(0, +) / Double(other.count)
        let correlation = covariance / (variance * varianceOther).squareRoot()
        #expect(correlation > 0.3 && correlation < 0.95, "leaders share the market factor: corr \(correlation)")
    }

    @Test func independentProfilePlantsNothing() throws {
        let truth = SyntheticMarket(seed: 42, profile: .independent).groundTruth
        #expect(truth.plantedPairs.isEmpty)
        #expect(truth.cointegratedPairs.isEmpty)
        #expect(truth.independentPairs.count == 66)
        let defaultTruth = SyntheticMarket(seed: 42).groundTruth
        #expect(defaultTruth.cointegratedPairs.count == 3 + 1 + 1 + 1)
        #expect(defaultTruth.independentPairs.count == 66 - 6)
    }

    @Test func groundTruthRoundTripsThroughJSON() throws {
        let truth = SyntheticMarket(seed: 11).groundTruth
        let data = try SyntheticGroundTruth.encoder().encode(truth)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"planted_pairs\"") && text.contains("\"half_life_hours\""))
        #expect(try SyntheticGroundTruth.decode(data) == truth)
    }

    @Test func nothingBeforeTheOriginAndUnknownInputsAreRejected() throws {
        let market = SyntheticMarket()
        let early = try market.series(
            symbols: ["SYNA0USDT"], timeframe: .h1, from: SyntheticMarket.origin - 10 * Self.day,
            to: SyntheticMarket.origin + 3_600_000 * 2)
        #expect(early[0].bars.map(\.openTime) == [SyntheticMarket.origin, SyntheticMarket.origin + 3_600_000])
        #expect(throws: MarketDataError.self) {
            try market.series(symbols: ["BTCUSDT"], timeframe: .h1, from: Self.start, to: Self.start + Self.day)
        }
        #expect(throws: MarketDataError.self) {
            try market.series(symbols: ["SYNA0USDT"], timeframe: .m1, from: Self.start, to: Self.start + Self.day)
        }
    }

    /// Ingest keeps only bars closed at `now`, and a later ingest extends the series consistently.
    @Test func ingestStoresOnlyClosedBarsAndExtendsConsistently() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try DataStore(dataDirectory: directory, schemas: [.marketData])
        let market = SyntheticMarket(seed: 42)
        let ingestor = Ingestor(store: store)
        let hour: Int64 = 3_600_000
        let now = Self.start + 5 * hour + 20 * 60_000 // 20 minutes into an open hour
        let request = IngestRequest(
            symbols: ["SYNC0USDT"], timeframe: .h1, since: Self.start, until: Self.start + Self.day)
        _ = try ingestor.run(.synthetic(market), request, now: now)
        let early = try store.bars(symbol: "SYNC0USDT", timeframe: .h1)
        #expect(early.last?.openTime == Self.start + 4 * hour, "the hour open at `now` must not be stored")
        _ = try ingestor.run(.synthetic(market), request, now: Self.start + Self.day)
        let later = try store.bars(symbol: "SYNC0USDT", timeframe: .h1)
        #expect(later.count == 24)
        #expect(Array(later.prefix(early.count)) == early)
    }
}
