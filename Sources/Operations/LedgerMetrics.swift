import Foundation
import Portfolio

/// The paper ledger as Prometheus gauges, read from the store at each scrape: what an alert on
/// live P&L, drawdown or a pair leaving `ok` watches. Every state change is also one log line of
/// the cycle that made it.
enum LedgerMetrics {
    static func text(_ view: LiveView?) -> String {
        guard let view else { return "# the paper ledger has booked no bar yet\n" }
        let state = view.state
        var lines: [String] = []
        func gauge(_ name: String, _ help: String, _ samples: [(labels: String, value: Double)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) gauge")
            for sample in samples {
                lines.append("\(name)\(sample.labels.isEmpty ? "" : "{\(sample.labels)}") \(format(sample.value))")
            }
        }
        func label(_ pair: String) -> String {
            #"pair="\#(pair.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))""#
        }
        gauge(
            "mntrading_ledger_equity", "Paper portfolio equity, marked at the newest booked bar, after costs.",
            [("", state.equity)])
        gauge("mntrading_ledger_drawdown", "Paper portfolio drawdown from its peak (0..1).", [("", view.drawdown)])
        gauge(
            "mntrading_ledger_portfolio_stopped", "1 when the portfolio drawdown stop has fired.",
            [("", state.portfolioStopped ? 1 : 0)])
        gauge(
            "mntrading_ledger_newest_bar_seconds", "Open time of the newest booked bar (Unix seconds).",
            [("", Double(state.newestBar ?? 0) / 1000)])
        gauge(
            "mntrading_ledger_model_version", "The model version whose signals the ledger books.",
            [("", Double(state.modelVersion ?? 0))])
        let pairs = state.pairs.filter { $0.status != .dropped || $0.sleeve.position != 0 }
        gauge(
            "mntrading_ledger_pair_pnl",
            "P&L of the pair since the ledger began (marks less costs), all model versions.",
            pairs.map { pair in
                (
                    label(pair.pair),
                    view.profitAndLoss.filter { $0.pair == pair.pair }.reduce(0) { $0 + $1.pnl - $1.costs }
                )
            })
        gauge(
            "mntrading_ledger_pair_equity", "Equity of the pair's sleeve.",
            pairs.map { (label($0.pair), $0.sleeve.equity) })
        gauge(
            "mntrading_ledger_pair_drawdown", "Drawdown of the pair's sleeve from its peak (0..1).",
            pairs.map { (label($0.pair), $0.peak > 0 ? 1 - $0.sleeve.equity / $0.peak : 0) })
        gauge(
            "mntrading_ledger_pair_position", "Side held: 1 long the spread, -1 short, 0 flat.",
            pairs.map { (label($0.pair), $0.sleeve.position) })
        gauge(
            "mntrading_ledger_pair_state",
            "1 for the pair's state (ok, watch, degraded, stopped, dropped), 0 for the others.",
            pairs.flatMap { pair in
                PairStatus.allCases.map {
                    (label(pair.pair) + #",state="\#($0.rawValue)""#, pair.status == $0 ? 1.0 : 0)
                }
            })
        gauge(
            "mntrading_ledger_pair_cusum", "The monitor's CUSUM of the pair's trades against its out-of-fold mean.",
            pairs.map { (label($0.pair), $0.monitor.cusum) })
        return lines.joined(separator: "\n") + "\n"
    }

    static func format(_ value: Double) -> String {
        value.isNaN ? "NaN" : value.isInfinite ? (value > 0 ? "+Inf" : "-Inf") : "\(value)"
    }
}
