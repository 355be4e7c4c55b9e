import Backtest
import Foundation
import MarketData
import ModelFormat
import PairResearch
import Portfolio
import TrainingRecords

/// The dashboard's pages, rendered on the server: plain HTML with inline CSS and SVG charts (no
/// CDN, so they work offline), a few lines of JavaScript only for the live task log.
enum DashboardPages {
    static let sections: [(path: String, title: String)] = [
        ("/", "Operations"), ("/pairs", "Pairs"), ("/training", "Training"), ("/models", "Models"),
        ("/signals", "Signals & Orders"), ("/live", "Live"), ("/report", "Report")
    ]

    static func h(_ text: String) -> String { SVGChart.escape(text) }

    static func number(_ value: Double?, _ digits: Int = 3) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.\(digits)f", value)
    }

    static func time(_ milliseconds: Int64?) -> String { milliseconds.map(UTCTime.format) ?? "–" }

    static func layout(_ title: String, active: String, _ body: String) -> String {
        let nav = sections.map { section in
            #"<a href="\#(section.path)"\#(section.path == active ? #" class="active""# : "")>\#(h(section.title))</a>"#
        }.joined()
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(h(title)) · mntrading</title>
            <style>
            body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
            header{background:#1d232a;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}
            header strong{margin-right:1rem} header a{color:#c9d1d9;text-decoration:none} header a.active{color:#fff;border-bottom:2px solid #58a6ff}
            main{padding:1rem 1.2rem;max-width:1200px} h1{font-size:1.4rem} h2{font-size:1.1rem;margin-top:1.6rem}
            table{border-collapse:collapse;background:#fff;margin:.5rem 0} th,td{padding:.3rem .6rem;border:1px solid #d0d7de;text-align:right;font-variant-numeric:tabular-nums}
            th{background:#eef1f4} td.text,th.text{text-align:left}
            .empty{padding:1rem;background:#fff;border:1px dashed #8c959f;color:#57606a}
            .state-running{color:#9a6700} .state-succeeded{color:#1a7f37} .state-failed{color:#cf222e}
            .pair-ok{color:#1a7f37} .pair-watch{color:#9a6700} .pair-degraded,.pair-stopped{color:#cf222e} .pair-dropped{color:#57606a}
            pre#log{background:#0d1117;color:#c9d1d9;padding:.8rem;max-height:28rem;overflow:auto;font-size:.8rem;white-space:pre-wrap;word-break:break-all}
            form.inline{display:inline-block;margin:.2rem .6rem .2rem 0} button{padding:.35rem .9rem;cursor:pointer}
            .note{color:#57606a;font-size:.9rem} .error{color:#cf222e}
            </style></head><body>
            <header><strong>mntrading</strong>\(nav)</header>
            <main><h1>\(h(title))</h1>
            \(body)
            </main></body></html>
            """
    }

    static func empty(_ text: String) -> String { #"<div class="empty">\#(h(text))</div>"# }

    static func table(_ headers: [String], _ rows: [[String]], textColumns: Set<Int> = [0], id: String? = nil) -> String
    {
        let head = headers.enumerated().map {
            #"<th\#(textColumns.contains($0.offset) ? #" class="text""# : "")>\#(h($0.element))</th>"#
        }.joined()
        let body = rows.map { row in
            "<tr>"
                + row.enumerated().map {
                    #"<td\#(textColumns.contains($0.offset) ? #" class="text""# : "")>\#($0.element)</td>"#
                }.joined() + "</tr>"
        }.joined(separator: "\n")
        return
            #"<table\#(id.map { #" id="\#($0)""# } ?? "")><thead><tr>\#(head)</tr></thead><tbody>\#(body)</tbody></table>"#
    }

    /// A form that posts to the dashboard: it carries the page's CSRF token, and the token field
    /// when writes need one (a server listening beyond loopback).
    static func form(
        _ action: String, csrf: String, needsToken: Bool, fields: [(String, String)] = [], button: String, id: String,
        confirm: String? = nil
    ) -> String {
        let hidden = ([("csrf", csrf)] + fields).map {
            #"<input type="hidden" name="\#(h($0.0))" value="\#(h($0.1))">"#
        }.joined()
        let token = needsToken ? #"<input type="password" name="token" placeholder="ops token" required>"# : ""
        // A JavaScript string inside an HTML attribute: escaped for the script, then for the attribute.
        let script = confirm.map {
            $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        }
        let onSubmit = script.map { #" onsubmit="return confirm('\#(h($0))')""# } ?? ""
        return
            #"<form class="inline" method="post" action="\#(h(action))"\#(onSubmit)>\#(hidden)\#(token)<button type="submit" id="\#(h(id))">\#(h(button))</button></form>"#
    }

    // MARK: - Pages

    static func operations(
        tasks: [OpsTask], log: [OpsLogLine], kinds: [OpsTaskKind], writes: Bool, csrf: String, needsToken: Bool,
        message: String?
    ) -> String {
        var body = ""
        if let message { body += #"<p class="error" id="message">\#(h(message))</p>"# }
        if writes {
            body +=
                "<p>"
                + kinds.map { kind in
                    form(
                        "/ui/tasks", csrf: csrf, needsToken: needsToken, fields: [("kind", kind.name)],
                        button: "Run \(kind.name)", id: "run-\(kind.name)")
                        + #"<span class="note">\#(h(kind.summary))</span>"#
                }.joined(separator: "<br>") + "</p>"
        } else {
            body += #"<p class="note">Read-only: start the server with --allow-writes to run tasks from here.</p>"#
        }
        if let current = tasks.first {
            body +=
                #"<h2>Task <span id="task-id">\#(h(current.id))</span>: <span id="task-state" class="state-\#(current.state.rawValue)">\#(current.state.rawValue)</span>"#
                + (current.exitStatus.map {
                    #" <span class="note">exit status <span id="task-exit">\#($0)</span></span>"#
                } ?? "") + "</h2>"
            if current.state == .running && writes {
                body += form(
                    "/ui/tasks/cancel", csrf: csrf, needsToken: needsToken, fields: [("task", current.id)],
                    button: "Cancel", id: "cancel-task")
            }
            body += #"<pre id="log">\#(log.map { h($0.text) }.joined(separator: "\n"))</pre>"#
            if current.state == .running {
                // The live log: new lines arrive by server-sent events; the state is reloaded at the end.
                body += """
                    <script>
                    (function(){var log=document.getElementById('log');var seen=\(log.count);
                    var source=new EventSource('/api/tasks/\(h(current.id))/events?from='+(seen+1));
                    source.onmessage=function(e){var line=JSON.parse(e.data);log.textContent+=(log.textContent?'\\n':'')+line.text;log.scrollTop=log.scrollHeight;};
                    source.addEventListener('end',function(e){source.close();location.reload();});})();
                    </script>
                    """
            }
        } else {
            body += empty("No task has run since the server started.")
        }
        body += "<h2>Last tasks</h2>"
        body +=
            tasks.isEmpty
            ? empty("nothing yet")
            : table(
                ["task", "kind", "state", "exit", "started (UTC)", "ended (UTC)", "log lines"],
                tasks.map { task in
                    [
                        h(task.id), h(task.kind),
                        #"<span class="state-\#(task.state.rawValue)">\#(task.state.rawValue)</span>"#,
                        task.exitStatus.map(String.init) ?? "–",
                        time(task.startedAt), time(task.finishedAt), String(task.lines)
                    ]
                }, textColumns: [0, 1, 2], id: "tasks")
        return layout("Operations", active: "/", body)
    }

    static func pairs(_ screening: ScreeningRun?, features: (String) -> [FeatureRow]) -> String {
        guard let screening else {
            return layout(
                "Pairs", active: "/pairs", empty("Nothing yet: no screen has run (mntrading screen, or the pipeline)."))
        }
        var body =
            #"<p class="note">Screen \#(h(screening.runId.prefix(8).description)) of \#(h(screening.createdAt)), \#(screening.timeframe) bars: \#(screening.pairsTested) pairs tested, \#(screening.pairs.count) kept.</p>"#
        body += table(
            ["pair", "β", "ADF", "p-value", "half-life (bars)", "corr", "bars"],
            screening.pairs.map { pair in
                [
                    h(pair.pair), number(pair.beta), number(pair.adfStat), number(pair.pvalue, 4),
                    number(pair.halfLife, 1), number(pair.corr), String(pair.n)
                ]
            }, id: "pairs")
        for pair in screening.pairs.prefix(12) {
            let rows = features(pair.pair)
            guard !rows.isEmpty else { continue }
            body += "<h2>\(h(pair.pair))</h2>"
            body += SVGChart.lines(
                [
                    SVGChart.Series(
                        name: "spread", points: rows.map { ($0.openTime, $0.spread) }, color: SVGChart.palette[0])
                ],
                title: "spread, last \(rows.count) bars", height: 180, format: { number($0) })
            body += SVGChart.lines(
                [SVGChart.Series(name: "z", points: rows.map { ($0.openTime, $0.z) }, color: SVGChart.palette[1])],
                title: "z-score", height: 180, format: { number($0, 2) })
        }
        return layout("Pairs", active: "/pairs", body)
    }

    static func training(_ training: (runId: String, pairs: [PairTrainingResult], trials: Int?)?) -> String {
        guard let training else {
            return layout(
                "Training", active: "/training",
                empty("Nothing yet: no training run has completed (mntrading train, or the pipeline)."))
        }
        let trials = training.trials.map { #"<strong id="trials">\#($0) trials</strong>"# } ?? "the trials"
        var body =
            #"<p class="note">Run \#(h(training.runId)). Every figure is out of sample and after costs: walk-forward folds (OOF), then the holdout no choice saw; DSR deflates the OOF Sharpe by \#(trials) it took to find them.</p>"#
        body += table(
            [
                "pair", "status", "model", "OOF AUC", "OOF Sharpe", "trades", "max DD", "DSR", "holdout Sharpe",
                "holdout trades"
            ],
            training.pairs.map { pair in
                [
                    h(pair.pair), h(pair.status), h(pair.championName ?? "–"), number(pair.oof?.rocAUC),
                    number(pair.backtest?.sharpe, 2),
                    pair.backtest.map { String($0.trades) } ?? "–", number(pair.backtest?.maxDrawdown),
                    number(pair.deflatedSharpe),
                    number(pair.holdout?.sharpe, 2), pair.holdout.map { String($0.trades) } ?? "–"
                ]
            }, textColumns: [0, 1, 2], id: "training")
        for pair in training.pairs where !pair.equity.isEmpty {
            body += "<h2>\(h(pair.pair))</h2>"
            var series = [
                SVGChart.Series(
                    name: "model, out of fold", points: pair.equity.map { ($0.time, $0.equity) },
                    color: SVGChart.palette[0])
            ]
            if !pair.baselineEquity.isEmpty {
                series.append(
                    SVGChart.Series(
                        name: "z rule", points: pair.baselineEquity.map { ($0.time, $0.equity) },
                        color: SVGChart.palette[7]))
            }
            body += SVGChart.lines(series, title: "equity after costs", height: 200, format: { number($0) })
        }
        return layout("Training", active: "/training", body)
    }

    static func models(_ models: OpsReader.Models, writes: Bool, csrf: String, needsToken: Bool, message: String?)
        -> String
    {
        guard !models.versions.isEmpty else {
            return layout(
                "Models", active: "/models",
                empty("Nothing yet: no version of \(models.name) (mntrading router, or the pipeline)."))
        }
        var body = message.map { #"<p class="error" id="message">\#(h($0))</p>"# } ?? ""
        let aliasText = models.aliases.sorted { $0.key < $1.key }.map { "\($0.key) → \($0.value)" }.joined(
            separator: ", ")
        body +=
            #"<p>Model <strong>\#(h(models.name))</strong>; aliases: <span id="aliases">\#(h(aliasText.isEmpty ? "none" : aliasText))</span></p>"#
        // The dashboard promotes and rolls back the alias the server and the client follow.
        let alias = ModelStore.defaultAlias
        body += table(
            ["version", "aliases", ""],
            models.versions.reversed().map { version in
                let aliases = models.aliases.filter { $0.value == version }.map(\.key).sorted().joined(separator: ", ")
                let promote =
                    writes && models.aliases[alias] != version
                    ? form(
                        "/ui/models/promote", csrf: csrf, needsToken: needsToken,
                        fields: [("version", String(version)), ("alias", alias)],
                        button: "Promote to \(alias)", id: "promote-\(version)",
                        confirm: "Point \(alias) at version \(version)? The server follows within seconds.")
                    : ""
                return [String(version), h(aliases), promote]
            }, textColumns: [1, 2], id: "versions")
        if writes, let earlier = models.history[alias]?.last {
            body +=
                "<p>"
                + form(
                    "/ui/models/rollback", csrf: csrf, needsToken: needsToken, fields: [("alias", alias)],
                    button: "Roll \(alias) back to version \(earlier)", id: "rollback",
                    confirm: "Point \(alias) back at version \(earlier)?") + "</p>"
        }
        return layout("Models", active: "/models", body)
    }

    static func signals(_ signals: (asOf: Int64, signals: [SignalRecord])?, orders: OrderBook?) -> String {
        var body = ""
        if let signals {
            body +=
                #"<h2>Signals at \#(time(signals.asOf)) UTC</h2><p><a href="/api/signals" download="signals.json">signals.json</a></p>"#
            body += table(
                ["pair", "model", "proba", "threshold", "signal", "z", "β"],
                signals.signals.map { signal in
                    [
                        h(signal.pair), "\(h(signal.modelName)) v\(signal.modelVersion)", number(signal.proba),
                        number(signal.threshold, 2), String(signal.signal),
                        number(signal.z, 2), number(signal.beta)
                    ]
                }, textColumns: [0, 1], id: "signals")
        } else {
            body += empty("Nothing yet: no signals (mntrading-infer --once).")
        }
        if let orders {
            body +=
                #"<h2>Orders at \#(h(orders.asOfUtc)) (model \#(h(orders.modelName)) v\#(orders.modelVersion))</h2>"#
            body +=
                #"<p><a href="/api/orders" download="orders.json">orders.json</a> · <a href="/api/orders.csv" download="orders.csv">orders.csv</a></p>"#
            body +=
                orders.orders.isEmpty
                ? empty("No orders in this cycle: no pair signalled.")
                : table(
                    ["symbol", "side", "notional", "quantity", "price", "pair", "weight", "proba"],
                    orders.orders.map { order in
                        [
                            h(order.symbol), h(order.side), number(order.notional, 2), number(order.quantity, 6),
                            number(order.price, 6), h(order.pair), number(order.weight), number(order.proba)
                        ]
                    }, textColumns: [0, 1, 5], id: "orders")
        } else {
            body += empty("Nothing yet: no orders (mntrading-infer --once).")
        }
        return layout("Signals & Orders", active: "/signals", body)
    }

    static func live(_ view: LiveView?, writes: Bool, csrf: String, needsToken: Bool, message: String?) -> String {
        guard let view else {
            return layout(
                "Live", active: "/live",
                empty("Nothing yet: the paper ledger has booked no bar (mntrading-infer --once books one each cycle)."))
        }
        let state = view.state
        var body = message.map { #"<p class="error" id="message">\#(h($0))</p>"# } ?? ""
        body +=
            #"<p id="ledger-summary">Model <strong>\#(h(state.modelName))</strong> v\#(state.modelVersion.map(String.init) ?? "–"), newest bar \#(time(state.newestBar)) UTC: "#
            + #"equity <strong id="ledger-equity">\#(number(state.equity, 2))</strong>, drawdown \#(number(view.drawdown * 100, 2)) %"#
            + (state.portfolioStopped
                ? #", <span class="state-failed">portfolio stopped: \#(h(state.portfolioReason))</span>"# : "") + "</p>"
        if writes
            && (state.portfolioStopped || state.pairs.contains { $0.status == .stopped || $0.status == .degraded })
        {
            body +=
                "<p>"
                + form(
                    "/ui/ledger/enable", csrf: csrf, needsToken: needsToken, fields: [("all", "true")],
                    button: "Re-enable every stopped pair",
                    id: "enable-all", confirm: "Let every stopped or degraded pair (and the portfolio) trade again?")
                + "</p>"
        }
        var series = [
            SVGChart.Series(
                name: "paper equity", points: view.equity.map { ($0.openTime, $0.equity) }, color: SVGChart.palette[0])
        ]
        if !view.band.isEmpty {
            series.append(
                SVGChart.Series(
                    name: "expected (out of fold)", points: view.band.map { ($0.time, $0.expected) },
                    color: SVGChart.palette[7]))
            series.append(
                SVGChart.Series(name: "−2σ", points: view.band.map { ($0.time, $0.lower) }, color: SVGChart.palette[3]))
            series.append(
                SVGChart.Series(name: "+2σ", points: view.band.map { ($0.time, $0.upper) }, color: SVGChart.palette[2]))
        }
        body +=
            #"<div id="live-equity">"#
            + SVGChart.lines(
                series,
                title:
                    "equity since version \(state.modelVersion.map(String.init) ?? "–") was deployed, after costs, against the band its out-of-fold trades imply",
                height: 240, format: { number($0, 2) }) + "</div>"
        body += "<h2>Pairs</h2>"
        body += table(
            ["pair", "state", "position", "equity", "P&L", "costs", "trades", "why", ""],
            state.pairs.map { pair in
                let earned = view.profitAndLoss.filter { $0.pair == pair.pair }
                let button =
                    writes && (pair.status == .stopped || pair.status == .degraded)
                    ? form(
                        "/ui/ledger/enable", csrf: csrf, needsToken: needsToken, fields: [("pair", pair.pair)],
                        button: "Re-enable", id: "enable-\(pair.pair)",
                        confirm: "Let \(pair.pair) trade again?")
                    : ""
                return [
                    h(pair.pair), #"<span class="pair-\#(pair.status.rawValue)">\#(pair.status.rawValue)</span>"#,
                    pair.sleeve.position > 0 ? "long" : pair.sleeve.position < 0 ? "short" : "flat",
                    number(pair.sleeve.equity, 2),
                    number(earned.reduce(0) { $0 + $1.pnl - $1.costs }, 2),
                    number(earned.reduce(0) { $0 + $1.costs }, 2),
                    String(view.trades.filter { $0.pair == pair.pair }.count), h(pair.reason), button
                ]
            }, textColumns: [0, 1, 2, 7, 8], id: "positions")
        let versions = Set(view.profitAndLoss.map(\.modelVersion)).sorted()
        if versions.count > 1 {
            body += table(
                ["model version", "P&L", "costs"],
                versions.map { version in
                    let rows = view.profitAndLoss.filter { $0.modelVersion == version }
                    return [
                        "v\(version)", number(rows.reduce(0) { $0 + $1.pnl - $1.costs }, 2),
                        number(rows.reduce(0) { $0 + $1.costs }, 2)
                    ]
                }, id: "versions-pnl")
        }
        body +=
            #"<h2>Last fills</h2><p><a href="/api/ledger/fills.csv" download="fills.csv" id="fills-csv">fills.csv</a></p>"#
        body +=
            view.fills.isEmpty
            ? empty("No fill yet.")
            : table(
                ["bar (UTC)", "pair", "symbol", "side", "quantity", "price", "notional", "cost", "why"],
                view.fills.map { f in
                    [
                        time(f.openTime), h(f.pair), h(f.symbol), h(f.side), number(f.quantity, 6), number(f.price, 6),
                        number(f.notional, 2), number(f.cost, 2), h(f.reason)
                    ]
                }, textColumns: [0, 1, 2, 3, 8], id: "fills")
        body += "<h2>State changes</h2>"
        body +=
            view.events.isEmpty
            ? empty("None yet.")
            : table(
                ["bar (UTC)", "pair", "from", "to", "why"],
                view.events.map { e in
                    [time(e.openTime), h(e.pair.isEmpty ? "portfolio" : e.pair), h(e.from), h(e.to), h(e.reason)]
                }, textColumns: [0, 1, 2, 3, 4], id: "events")
        body +=
            #"<p class="note">Paper trading: every cycle books its bar by the backtest's own position rule, fill delay, costs and sizing (equal sleeves); replaying the holdout reproduces the training run's holdout trades and returns. A pair is degraded when its CUSUM on per-trade returns against the out-of-fold mean passes its calibrated level, stopped at its drawdown stop.</p>"#
        return layout("Live", active: "/live", body)
    }

    static func report(available: Bool) -> String {
        let body =
            available
            ? #"<p><a href="/report/latest.html" target="_blank">Open the latest report in its own tab</a></p><iframe src="/report/latest.html" title="latest report" style="width:100%;height:80vh;border:1px solid #d0d7de;background:#fff"></iframe>"#
            : empty("Nothing yet: no report (mntrading-infer --once writes one each cycle).")
        return layout("Report", active: "/report", body)
    }
}
