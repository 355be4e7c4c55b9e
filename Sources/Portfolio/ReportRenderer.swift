import Foundation
import MarketData

/// Renders a `ReportData` as Markdown and as one self-contained HTML file. Both are built from the
/// same tables so they never disagree.
public enum ReportRenderer {
    struct Table {
        var title: String
        var note: String?
        var headers: [String]
        var rows: [[String]]
    }

    static func percent(_ value: Double?) -> String { value.map { String(format: "%.2f %%", $0 * 100) } ?? "–" }
    static func number(_ value: Double?, _ digits: Int = 3) -> String {
        value.map { String(format: "%.\(digits)f", $0) } ?? "–"
    }
    static func money(_ value: Double) -> String { String(format: "%.2f", value) }

    static func title(_ data: ReportData) -> String {
        "mntrading report — \(UTCTime.format(data.asOf))"
    }

    static func facts(_ data: ReportData) -> [(String, String)] {
        var facts: [(String, String)] = [
            ("Bar (open time, UTC)", UTCTime.format(data.asOf)),
            ("Data", data.isSynthetic ? "SYNTHETIC market (embedded, deterministic): not real prices" : data.dataSource)
        ]
        if let model = data.model {
            facts.append(
                ("Model", "\(model.name) version \(model.version)" + (model.modelUri.map { " (\($0))" } ?? "")))
            if let created = model.createdAt { facts.append(("Model created", created)) }
            if let window = model.trainingWindow {
                facts.append(("Training window", "\(window.first) → \(window.last)"))
            }
            facts.append(("Timeframe", model.featureParameters.timeframe))
        } else if let first = data.signals.first {
            facts.append(("Model", "\(first.modelName) version \(first.modelVersion)"))
        }
        if let book = data.book {
            let p = book.parameters
            facts.append(
                (
                    "Aggregation",
                    "\(p.scheme.rawValue), min proba \(p.minProba), top \(p.topK), equity \(money(p.equity)) × leverage \(p.leverage), caps \(p.maxSymbolWeight) per symbol / \(p.maxGross) gross"
                ))
        }
        if let run = data.trainingRun { facts.append(("Backtests from training run", run)) }
        return facts
    }

    static func tables(_ data: ReportData) -> [Table] {
        var tables: [Table] = []
        tables.append(
            Table(
                title: "Latest signals",
                note: data.staleSignals.isEmpty
                    ? nil : "No signal at this bar (stale data): \(data.staleSignals.joined(separator: ", "))",
                headers: ["pair", "proba", "threshold", "signal", "z", "β"],
                rows: data.signals.map { s in
                    [
                        s.pair, number(s.proba), number(s.threshold),
                        s.signal > 0 ? "long spread" : s.signal < 0 ? "short spread" : "–", number(s.z, 2),
                        number(s.beta, 3)
                    ]
                }))
        if let book = data.book {
            tables.append(
                Table(
                    title: "Orders",
                    note:
                        "What the paper ledger holds once this bar's decisions are filled. Gross \(money(book.totals.gross)), net \(money(book.totals.net))"
                        + (book.capped ? "; scaled down by the caps." : ".")
                        + (data.model?.execution.map { " Training backtested such orders \($0.summary)." } ?? ""),
                    headers: ["symbol", "side", "notional", "quantity", "price", "pair", "weight", "proba"],
                    rows: book.orders.map { o in
                        [
                            o.symbol, o.side, money(o.notional), number(o.quantity, 6), number(o.price, 4), o.pair,
                            percent(o.weight), number(o.proba)
                        ]
                    }))
            if !book.skipped.isEmpty {
                tables.append(
                    Table(
                        title: "Pairs without orders", note: nil, headers: ["pair", "reason"],
                        rows: book.skipped.map { [$0.pair, $0.reason] }))
            }
        }
        if let live = data.live {
            let state = live.state
            tables.append(
                Table(
                    title: "Paper ledger",
                    note:
                        "Equity \(money(state.equity)) at \(state.newestBar.map(UTCTime.format) ?? "–"), drawdown \(percent(live.drawdown))"
                        + (state.portfolioStopped ? "; portfolio STOPPED: \(state.portfolioReason)" : "")
                        + ". Booked by the backtest's position rule, fill delay, costs and equal sleeves; P&L after costs.",
                    headers: ["pair", "state", "position", "equity", "P&L", "trades", "why"],
                    rows: state.pairs.map { pair in
                        let earned = live.profitAndLoss.filter { $0.pair == pair.pair }.reduce(0) {
                            $0 + $1.pnl - $1.costs
                        }
                        return [
                            pair.pair, pair.status.rawValue,
                            pair.sleeve.position > 0 ? "long" : pair.sleeve.position < 0 ? "short" : "flat",
                            money(pair.sleeve.equity), money(earned),
                            "\(live.trades.filter { $0.pair == pair.pair }.count)", pair.reason
                        ]
                    }))
        }
        if let model = data.model {
            // The three periods side by side: what the screen saw (in sample), out of fold, the holdout.
            func count(_ value: Double?) -> String { value.map { String(Int($0)) } ?? "–" }
            var note =
                "Screen: in sample (it chose the pair on those bars). Out of fold and holdout: after costs"
                + (model.execution.map { " (\($0.summary))" } ?? "") + "."
            if let trials = model.trials {
                note +=
                    " \(trials) trials"
                    + (model.pbo.map { ", probability of backtest overfitting \(number($0, 2))" } ?? "") + "."
            }
            if model.guardrails == false { note += " Selected WITHOUT guardrails." }
            tables.append(
                Table(
                    title: "Model members", note: note,
                    headers: [
                        "pair", "kind", "screen p-value", "OOF Sharpe", "OOF trades", "Deflated Sharpe",
                        "holdout Sharpe", "holdout trades",
                        "OOF ROC-AUC", "training window"
                    ],
                    rows: model.pairs.map { m in
                        [
                            m.pair, m.kind, number(m.metrics?.screenPvalue, 4), number(m.metrics?.sharpe, 2),
                            count(m.metrics?.oofTrades),
                            number(m.metrics?.deflatedSharpe, 3), number(m.metrics?.holdoutSharpe, 2),
                            count(m.metrics?.holdoutTrades),
                            number(m.metrics?.oofRocAuc), m.trainingWindow?.joined(separator: " → ") ?? "–"
                        ]
                    }))
        }
        if !data.pairBacktests.isEmpty {
            var rows = data.pairBacktests.map { b in
                [
                    b.pair, percent(b.result?.cumulativeReturn), number(b.result?.sharpe, 2),
                    percent(b.result?.maxDrawdown), b.result.map { "\($0.trades)" } ?? "–"
                ]
            }
            if let portfolio = data.portfolioResult {
                rows.insert(
                    [
                        "portfolio (equal sleeves)", percent(portfolio.cumulativeReturn), number(portfolio.sharpe, 2),
                        percent(portfolio.maxDrawdown), "\(portfolio.trades)"
                    ], at: 0)
            }
            tables.append(
                Table(
                    title: "Out-of-fold backtests (after costs)", note: nil,
                    headers: ["", "return", "Sharpe", "max drawdown", "trades"], rows: rows))
        }
        return tables
    }

    public static func markdown(_ data: ReportData) -> String {
        var text = "# \(title(data))\n\n"
        if data.isSynthetic {
            text += "> **Synthetic data.** These prices come from the embedded synthetic market, not an exchange.\n\n"
        }
        for (key, value) in facts(data) { text += "- **\(key):** \(value)\n" }
        for table in tables(data) {
            text += "\n## \(table.title)\n\n"
            if let note = table.note { text += note + "\n\n" }
            if table.rows.isEmpty {
                text += "_none_\n"
                continue
            }
            text += "| " + table.headers.joined(separator: " | ") + " |\n"
            text += "|" + table.headers.map { _ in "---" }.joined(separator: "|") + "|\n"
            for row in table.rows {
                text +=
                    "| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
            }
        }
        text += "\nCharts: see report.html in this directory.\n"
        return text
    }

    public static func html(_ data: ReportData) -> String {
        let e = SVGChart.escape
        var body = "<h1>\(e(title(data)))</h1>\n"
        if data.isSynthetic {
            body +=
                #"<p class="banner">Synthetic data: these prices come from the embedded synthetic market, not an exchange.</p>"#
                + "\n"
        }
        body += "<dl>" + facts(data).map { "<dt>\(e($0.0))</dt><dd>\(e($0.1))</dd>" }.joined() + "</dl>\n"
        body += "<section>" + charts(data).joined(separator: "\n") + "</section>\n"
        for table in tables(data) {
            body += "<h2>\(e(table.title))</h2>\n"
            if let note = table.note { body += "<p>\(e(note))</p>\n" }
            if table.rows.isEmpty {
                body += "<p><em>none</em></p>\n"
                continue
            }
            body += "<table><thead><tr>" + table.headers.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead><tbody>\n"
            for row in table.rows { body += "<tr>" + row.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n" }
            body += "</tbody></table>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(e(title(data)))</title>
            <style>
            body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1000px; color: #222; background: #fff; }
            h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
            .banner { background: #fff3cd; border: 1px solid #e0c36c; padding: 8px 12px; font-weight: bold; }
            dl { display: grid; grid-template-columns: max-content auto; gap: 4px 16px; } dt { font-weight: bold; } dd { margin: 0; }
            table { border-collapse: collapse; font-size: 13px; } th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: right; }
            th { background: #f2f2f2; } td:first-child, th:first-child { text-align: left; }
            svg { display: block; margin: 12px 0; max-width: 100%; height: auto; }
            </style></head>
            <body>
            \(body)</body></html>

            """
    }

    static func charts(_ data: ReportData) -> [String] {
        var charts: [String] = []
        if let book = data.book, !book.totals.perSymbol.isEmpty {
            charts.append(
                SVGChart.bars(
                    book.totals.perSymbol.map { ($0.symbol, $0.net) },
                    title: "Net exposure per symbol (quote currency)",
                    format: money))
        }
        if let live = data.live, !live.equity.isEmpty {
            var series = [
                SVGChart.Series(
                    name: "paper equity", points: live.equity.map { (x: $0.openTime, y: $0.equity) },
                    color: SVGChart.palette[0])
            ]
            if !live.band.isEmpty {
                series.append(
                    .init(
                        name: "expected (out of fold)", points: live.band.map { (x: $0.time, y: $0.expected) },
                        color: SVGChart.palette[7]))
                series.append(
                    .init(name: "−2σ", points: live.band.map { (x: $0.time, y: $0.lower) }, color: SVGChart.palette[3]))
                series.append(
                    .init(name: "+2σ", points: live.band.map { (x: $0.time, y: $0.upper) }, color: SVGChart.palette[2]))
            }
            charts.append(
                SVGChart.lines(
                    series,
                    title: "Paper equity since deployment, after costs, against the band the out-of-fold trades imply",
                    format: money))
        }
        if !data.portfolioEquity.isEmpty {
            let equity = data.portfolioEquity.map { (x: $0.time, y: $0.equity) }
            charts.append(
                SVGChart.lines(
                    [.init(name: "portfolio", points: equity, color: SVGChart.palette[0])],
                    title: "Portfolio equity (out-of-fold, equal sleeves per pair, after fees)",
                    format: { String(format: "%.3f", $0) }))
            charts.append(
                SVGChart.lines(
                    [
                        .init(
                            name: "drawdown", points: SVGChart.drawdown(data.portfolioEquity),
                            color: SVGChart.palette[3])
                    ],
                    title: "Portfolio drawdown", height: 160, format: { percent($0) }, fillToZero: true))
        }
        let pairs = data.pairBacktests.filter { !$0.equity.isEmpty }
        if !pairs.isEmpty {
            let series = pairs.enumerated().map { index, pair in
                SVGChart.Series(
                    name: pair.pair, points: pair.equity.map { (x: $0.time, y: $0.equity) },
                    color: SVGChart.palette[index % SVGChart.palette.count])
            }
            charts.append(
                SVGChart.lines(
                    series, title: "Per-pair equity (out-of-fold, after fees)", height: 280,
                    format: { String(format: "%.3f", $0) }))
            let drawdowns = pairs.enumerated().map { index, pair in
                SVGChart.Series(
                    name: pair.pair, points: SVGChart.drawdown(pair.equity),
                    color: SVGChart.palette[index % SVGChart.palette.count])
            }
            charts.append(SVGChart.lines(drawdowns, title: "Per-pair drawdown", height: 200, format: { percent($0) }))
        }
        return charts
    }
}
