import Foundation
import MarketData

extension OrderBook {
    /// What the paper ledger holds once the decisions of its newest bar are filled
    /// (`PaperBroker.projected`): one order per leg of every pair in a trade, sized as the broker
    /// sizes it (the pair's sleeve, × leverage, split by the decision's hedge ratio, under the caps;
    /// a held position at its current legs), netted per symbol in the totals. Flat pairs are listed
    /// among the skipped, with why.
    public init(
        ledger state: LedgerState, bar: LedgerBar, signals: [String: SignalRecord], modelName: String,
        parameters: AggregationParameters
    ) {
        var orders: [Order] = []
        var reasons = bar.skipped
        var net: [String: Double] = [:]
        let equity = state.equity
        for pair in state.pairs where pair.status != .dropped || pair.sleeve.position != 0 {
            let signal = signals[pair.pair]
            if pair.decided != 0 && pair.sleeve.position == 0 {
                reasons[pair.pair] = "no room under --max-symbol-weight / --max-gross for a new position"
                continue
            }
            guard pair.decided != 0 else {
                if reasons[pair.pair] != nil { continue }
                if !pair.status.opensPositions || state.portfolioStopped {
                    reasons[pair.pair] =
                        "\(state.portfolioStopped ? "stopped" : pair.status.rawValue): \(state.portfolioStopped ? state.portfolioReason : pair.reason)"
                } else if let signal {
                    reasons[pair.pair] =
                        signal.signal == 0
                        ? Aggregator.noSignal(signal)
                        : signal.proba < parameters.minProba
                            ? "proba \(Aggregator.format(signal.proba)) below --min-proba \(Aggregator.format(parameters.minProba))"
                            : "flat: the spread reached its mean"
                } else {
                    reasons[pair.pair] =
                        "stale: no signal at this bar (a leg's newest bar is older than the other pairs' newest bar)"
                }
                continue
            }
            for (symbol, signed, price) in [
                (pair.legA, pair.sleeve.valueA, pair.closeA ?? 0), (pair.legB, pair.sleeve.valueB, pair.closeB ?? 0)
            ]
            where signed != 0 && price > 0 {
                net[symbol, default: 0] += signed
                orders.append(
                    Order(
                        symbol: symbol, side: signed > 0 ? "buy" : "sell", notional: abs(signed),
                        quantity: abs(signed) / price,
                        price: price, pair: pair.pair, weight: equity > 0 ? pair.sleeve.equity / equity : 0,
                        proba: signal?.proba ?? 0))
            }
        }
        let totals = OrderTotals(
            gross: Aggregator.sum(net) { abs($0) }, net: Aggregator.sum(net) { $0 },
            legsGross: orders.reduce(0) { $0 + $1.notional },
            perSymbol: net.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map {
                SymbolExposure(symbol: $0.key, net: $0.value)
            })
        self.init(
            asOf: bar.openTime, asOfUtc: UTCTime.format(bar.openTime), modelName: modelName,
            modelVersion: bar.modelVersion,
            parameters: parameters, orders: orders, totals: totals,
            skipped: reasons.sorted { $0.key < $1.key }.map { SkippedPair(pair: $0.key, reason: $0.value) },
            capped: bar.capped)
    }
}
