import Foundation
import MarketData

public enum Aggregator {
    /// Turns the signals of one bar into leg orders.
    ///
    /// A pair's capital c = weight · equity · leverage is split over its legs as the backtest holds
    /// them: A gets c / (1 + |β|), B gets c·|β| / (1 + |β|), on opposite sides (long the spread = buy
    /// A, sell β·B). Exposures are then netted per symbol. Caps scale whole pairs, never single legs,
    /// so every pair stays hedged: a pair touching an over-limit symbol shrinks by that symbol's
    /// excess, and if offsetting pairs still leave a symbol over its limit, the whole book shrinks
    /// uniformly (which lowers every net exposure in proportion, so the limits then hold exactly).
    /// `stale`: pairs without a signal at this bar (a leg's newest bar is older than the others'):
    /// they are listed among the skipped, with why.
    public static func aggregate(
        _ signals: [SignalRecord], asOf: Int64, parameters: AggregationParameters, stale: [String] = []
    ) -> OrderBook {
        var reasons: [String: String] = [:]
        for pair in stale {
            reasons[pair] =
                "stale: no signal at this bar (a leg's newest bar is older than the other pairs' newest bar)"
        }
        var candidates: [SignalRecord] = []
        for signal in signals {
            if signal.signal == 0 {
                reasons[signal.pair] = noSignal(signal)
            } else if signal.proba < parameters.minProba {
                reasons[signal.pair] = "proba \(format(signal.proba)) below --min-proba \(format(parameters.minProba))"
            } else if !(signal.closeA > 0 && signal.closeB > 0) {
                reasons[signal.pair] = "no positive last close"
            } else {
                candidates.append(signal)
            }
        }
        candidates.sort { ($0.proba, $1.pair) > ($1.proba, $0.pair) }
        for dropped in candidates.dropFirst(parameters.topK) {
            reasons[dropped.pair] = "outside --top-k \(parameters.topK)"
        }
        let chosen = Array(candidates.prefix(parameters.topK))

        let raw: [Double] = chosen.map { signal in
            switch parameters.scheme {
            case .equalWeight: 1
            case .probaWeighted: signal.proba
            case .inverseVol: signal.spreadVolatility > 0 ? 1 / signal.spreadVolatility : 0
            }
        }
        let rawSum = raw.reduce(0, +)
        var weights = raw.map { rawSum > 0 ? $0 / rawSum : 0 }
        let capital = parameters.capital
        func exposures(_ weights: [Double]) -> [String: Double] {
            var net: [String: Double] = [:]
            for (signal, weight) in zip(chosen, weights) {
                for leg in legs(signal, capital: weight * capital) { net[leg.symbol, default: 0] += leg.signed }
            }
            return net
        }
        let symbolLimit = parameters.maxSymbolWeight * capital
        var capped = false
        for _ in 0..<50 {
            let net = exposures(weights)
            let excess = net.compactMapValues { abs($0) > symbolLimit * (1 + 1e-12) ? symbolLimit / abs($0) : nil }
            guard !excess.isEmpty else { break }
            capped = true
            for index in chosen.indices {
                let factor = [chosen[index].legA, chosen[index].legB].compactMap { excess[$0] }.min() ?? 1
                weights[index] *= factor
            }
        }
        var net = exposures(weights)
        let worst = net.values.map { abs($0) / symbolLimit }.max() ?? 0
        if worst > 1 + 1e-9 {
            weights = weights.map { $0 / worst }
            net = exposures(weights)
        }
        let gross = Self.sum(net) { abs($0) }
        let grossLimit = parameters.maxGross * capital
        if gross > grossLimit * (1 + 1e-12) {
            capped = true
            weights = weights.map { $0 * grossLimit / gross }
            net = exposures(weights)
        }

        var orders: [Order] = []
        for (signal, weight) in zip(chosen, weights) where weight <= 0 {
            reasons[signal.pair] =
                parameters.scheme == .inverseVol ? "no spread volatility to weight by (inverse_vol)" : "weight 0"
        }
        for (signal, weight) in zip(chosen, weights) where weight > 0 {
            for leg in legs(signal, capital: weight * capital) where abs(leg.signed) > 0 {
                orders.append(
                    Order(
                        symbol: leg.symbol, side: leg.signed > 0 ? "buy" : "sell", notional: abs(leg.signed),
                        quantity: abs(leg.signed) / leg.price, price: leg.price, pair: signal.pair, weight: weight,
                        proba: signal.proba))
            }
        }
        let totals = OrderTotals(
            gross: Self.sum(net) { abs($0) }, net: Self.sum(net) { $0 },
            legsGross: orders.reduce(0) { $0 + $1.notional },
            perSymbol: net.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map {
                SymbolExposure(symbol: $0.key, net: $0.value)
            })
        let skipped = reasons.sorted { $0.key < $1.key }.map { SkippedPair(pair: $0.key, reason: $0.value) }
        let model = signals.first
        return OrderBook(
            asOf: asOf, asOfUtc: UTCTime.format(asOf), modelName: model?.modelName ?? "",
            modelVersion: model?.modelVersion ?? 0,
            parameters: parameters, orders: orders, totals: totals, skipped: skipped, capped: capped)
    }

    /// Signed leg notionals of a pair given capital c: + buy, − sell.
    static func legs(_ signal: SignalRecord, capital: Double) -> [(symbol: String, signed: Double, price: Double)] {
        let beta = signal.beta
        let direction = Double(signal.signal)
        let toA = capital / (1 + abs(beta))
        let toB = capital * abs(beta) / (1 + abs(beta))
        // Long the spread A − β·B: buy A; sell B when β > 0, buy it when β < 0.
        let bSign: Double = beta >= 0 ? -1 : 1
        return [(signal.legA, direction * toA, signal.closeA), (signal.legB, direction * bSign * toB, signal.closeB)]
    }

    static func format(_ value: Double) -> String { String(format: "%.3f", value) }

    /// Why a scored bar without a signal has no order: the aggregation's and the ledger's words.
    static func noSignal(_ signal: SignalRecord) -> String {
        signal.proba < signal.threshold
            ? "no signal (proba \(format(signal.proba)) < threshold \(format(signal.threshold)))"
            : "no signal (|z| \(format(abs(signal.z))) is short of the stretch the model enters at)"
    }

    /// Sums in symbol order: a dictionary's order changes from one process to the next, and the
    /// last bit of a floating-point sum with it; a rerun must write the same file.
    static func sum(_ values: [String: Double], _ transform: (Double) -> Double) -> Double {
        values.keys.sorted().reduce(0) { $0 + transform(values[$1]!) }
    }
}
