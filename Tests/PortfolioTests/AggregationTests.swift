import Basics
import Foundation
import MarketData
import Portfolio
import Testing

func signal(
    _ a: String, _ b: String, proba: Double, signal direction: Int = 1, beta: Double = 1.5, volatility: Double = 0.01,
    time: Int64 = 1_717_200_000_000, version: Int = 1
) -> SignalRecord {
    SignalRecord(
        pair: "\(a)__\(b)", openTime: time, modelName: "mntrading_router", modelVersion: version, timeframe: "5m",
        legA: a, legB: b,
        proba: proba, signal: direction, threshold: 0.5, z: direction > 0 ? -2 : 2, beta: beta, closeA: 100, closeB: 20,
        spreadVolatility: volatility, scoredAt: time + 310_000)
}

@Suite struct AggregationTests {
    var parameters: AggregationParameters {
        var parameters = AggregationParameters()
        parameters.maxSymbolWeight = 1
        parameters.maxGross = 10
        return parameters
    }

    @Test func aPairBecomesTwoHedgedLegsOnOppositeSides() throws {
        let book = Aggregator.aggregate([signal("AUSDT", "BUSDT", proba: 0.8)], asOf: 0, parameters: parameters)
        #expect(book.orders.count == 2)
        let a = try #require(book.orders.first { $0.symbol == "AUSDT" })
        let b = try #require(book.orders.first { $0.symbol == "BUSDT" })
        // Long the spread: buy A, sell β·B; capital 10,000 split 1 : 1.5.
        #expect(a.side == "buy" && b.side == "sell")
        #expect(abs(a.notional - 4_000) < 1e-6 && abs(b.notional - 6_000) < 1e-6)
        #expect(abs(b.notional / a.notional - 1.5) < 1e-12)
        #expect(abs(a.quantity - 40) < 1e-9 && abs(b.quantity - 300) < 1e-9)
        #expect(abs(book.totals.net - (-2_000)) < 1e-6 && abs(book.totals.gross - 10_000) < 1e-6)
        // Short the spread flips both sides.
        let short = Aggregator.aggregate(
            [signal("AUSDT", "BUSDT", proba: 0.8, signal: -1)], asOf: 0, parameters: parameters)
        #expect(short.orders.map(\.side).sorted() == ["buy", "sell"])
        #expect(short.orders.first { $0.symbol == "AUSDT" }?.side == "sell")
    }

    @Test func filtersByProbabilitySignalAndTopK() {
        var parameters = self.parameters
        parameters.topK = 2
        let signals = [
            signal("AUSDT", "BUSDT", proba: 0.9), signal("CUSDT", "DUSDT", proba: 0.7),
            signal("EUSDT", "FUSDT", proba: 0.8),
            signal("GUSDT", "HUSDT", proba: 0.5), signal("IUSDT", "JUSDT", proba: 0.95, signal: 0)
        ]
        let book = Aggregator.aggregate(signals, asOf: 0, parameters: parameters)
        #expect(Set(book.orders.map(\.pair)) == ["AUSDT__BUSDT", "EUSDT__FUSDT"])
        let reasons = Dictionary(uniqueKeysWithValues: book.skipped.map { ($0.pair, $0.reason) })
        #expect(reasons["CUSDT__DUSDT"]?.contains("--top-k") == true)
        #expect(reasons["GUSDT__HUSDT"]?.contains("--min-proba") == true)
        #expect(reasons["IUSDT__JUSDT"]?.contains("no signal") == true)
    }

    @Test(arguments: WeightingScheme.allCases)
    func schemesWeightPairsAsTheySay(scheme: WeightingScheme) {
        var parameters = self.parameters
        parameters.scheme = scheme
        let signals = [
            signal("AUSDT", "BUSDT", proba: 0.9, volatility: 0.01),
            signal("CUSDT", "DUSDT", proba: 0.6, volatility: 0.03)
        ]
        let book = Aggregator.aggregate(signals, asOf: 0, parameters: parameters)
        let weights = Dictionary(book.orders.map { ($0.pair, $0.weight) }, uniquingKeysWith: { a, _ in a })
        let ratio = weights["AUSDT__BUSDT"]! / weights["CUSDT__DUSDT"]!
        switch scheme {
        case .equalWeight: #expect(abs(ratio - 1) < 1e-12)
        case .probaWeighted: #expect(abs(ratio - 1.5) < 1e-12)
        case .inverseVol: #expect(abs(ratio - 3) < 1e-9)
        }
        #expect(abs(weights.values.reduce(0, +) - 1) < 1e-12)
    }

    @Test func capsHoldAfterNettingAndKeepEveryPairHedged() {
        var parameters = AggregationParameters()
        parameters.maxSymbolWeight = 0.2
        parameters.maxGross = 0.6
        parameters.equity = 50_000
        parameters.leverage = 2
        // Three pairs share BUSDT on the same side: its net exposure is what the cap must catch.
        let signals = [
            signal("AUSDT", "BUSDT", proba: 0.9), signal("CUSDT", "BUSDT", proba: 0.8, beta: 0.7),
            signal("DUSDT", "BUSDT", proba: 0.7, beta: 2.5),
            signal("EUSDT", "FUSDT", proba: 0.6, signal: -1, beta: -0.8)
        ]
        let book = Aggregator.aggregate(signals, asOf: 0, parameters: parameters)
        let capital = parameters.capital
        #expect(book.capped)
        // Something is traded, and a limit binds (an aggregator that traded nothing would pass the rest).
        #expect(book.orders.count == 8 && book.totals.gross > 0.1 * capital)
        let binding =
            book.totals.perSymbol.contains { abs(abs($0.net) - 0.2 * capital) < 1e-6 * capital }
            || abs(book.totals.gross - 0.6 * capital) < 1e-6 * capital
        #expect(binding, "no cap binds: \(book.totals)")
        for exposure in book.totals.perSymbol {
            #expect(abs(exposure.net) <= 0.2 * capital * (1 + 1e-9), "\(exposure)")
        }
        #expect(book.totals.gross <= 0.6 * capital * (1 + 1e-9))
        var net: [String: Double] = [:]
        for order in book.orders {
            net[order.symbol, default: 0] += order.side == "buy" ? order.notional : -order.notional
        }
        for exposure in book.totals.perSymbol { #expect(abs(net[exposure.symbol]! - exposure.net) < 1e-6) }
        // Caps scale whole pairs: each pair's legs keep the hedge ratio |β|.
        for pair in Set(book.orders.map(\.pair)) {
            let legs = book.orders.filter { $0.pair == pair }
            let source = signals.first { $0.pair == pair }!
            let a = legs.first { $0.symbol == source.legA }!, b = legs.first { $0.symbol == source.legB }!
            #expect(abs(b.notional / a.notional - abs(source.beta)) < 1e-9)
            // With β < 0 the spread is A + |β|·B: both legs go the same way.
            #expect((a.side == b.side) == (source.beta < 0))
        }
    }

    @Test func aPairWithoutAWeightIsNamedNotDropped() {
        var parameters = self.parameters
        parameters.scheme = .inverseVol
        let book = Aggregator.aggregate(
            [signal("AUSDT", "BUSDT", proba: 0.9, volatility: 0), signal("CUSDT", "DUSDT", proba: 0.8)],
            asOf: 0, parameters: parameters)
        #expect(Set(book.orders.map(\.pair)) == ["CUSDT__DUSDT"])
        #expect(book.skipped.first { $0.pair == "AUSDT__BUSDT" }?.reason.contains("no spread volatility") == true)
    }

    @Test func nothingToTradeIsAnEmptyBookNotAnError() {
        let book = Aggregator.aggregate([signal("AUSDT", "BUSDT", proba: 0.3)], asOf: 5, parameters: parameters)
        #expect(book.orders.isEmpty && book.totals.gross == 0 && book.skipped.count == 1)
    }

    @Test func badParametersAreNamed() {
        var parameters = AggregationParameters()
        parameters.minProba = 1.5
        #expect(throws: SettingError("min_proba", "must be in [0, 1] (got 1.5)")) {
            try parameters.validate()
        }
    }
}
