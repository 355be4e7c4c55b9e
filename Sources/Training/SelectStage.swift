import Foundation
import GRDB
import MarketData
import PairResearch
import Backtest
import Basics
import Store
import TrainingRecords

/// `mntrading select`: keeps the trained pairs that pass the rules, best out-of-fold Sharpe
/// first, at most top-k; records every decision with its reason in the store and in
/// `<data-dir>/training/selection.json`.
public struct SelectStage: Sendable {
    public let store: DataStore
    public let locations: Locations

    public init(store: DataStore, locations: Locations) {
        self.store = store
        self.locations = locations
    }

    /// `inSample`: why the run's figures are in sample (every pair then fails the guardrails).
    public static func decide(_ entries: [PairReportEntry], rules: SelectionRules, inSample: String? = nil)
        -> [SelectionDecision]
    {
        var decisions: [SelectionDecision] = []
        var passing: [SelectionDecision] = []
        for entry in entries {
            var decision = SelectionDecision(
                pair: entry.pair, selected: false, reason: "", screenPvalue: entry.screen?.pvalue,
                sharpe: entry.backtest?.sharpe,
                trades: entry.backtest?.trades, deflatedSharpe: entry.deflatedSharpe,
                holdoutSharpe: entry.holdout?.sharpe, holdoutTrades: entry.holdout?.trades,
                maxDrawdown: entry.backtest?.maxDrawdown, oofRocAuc: entry.oofRocAuc)
            func fmt(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "none" }
            if entry.status != "trained" {
                decision.reason = "not trained: \(entry.reason ?? entry.status)"
            } else if rules.hasGuardrails, let inSample {
                decision.reason = "figures in sample: \(inSample)"
            } else if rules.hasGuardrails, let rescreen = entry.holdoutRescreen, rescreen.passed == false {
                decision.reason = "no longer passes the screen before the holdout: \(rescreen.reason ?? "")"
            } else if rules.hasGuardrails && entry.antiPredictive {
                decision.reason =
                    "anti-predictive: raw OOF ROC-AUC \(fmt(entry.oofRawRocAuc)); calibration would invert its ranking"
            } else if let minimum = rules.minTrades, (entry.backtest?.trades ?? 0) < minimum {
                decision.reason = "\(entry.backtest?.trades ?? 0) OOF trades < \(minimum)"
            } else if let minimum = rules.sharpeMin, !((entry.backtest?.sharpe ?? -.infinity) > minimum) {
                decision.reason = "OOF Sharpe after costs \(fmt(entry.backtest?.sharpe)) ≤ \(fmt(minimum))"
            } else if let maximum = rules.maxDrawdownMax, (entry.backtest?.maxDrawdown ?? .infinity) > maximum {
                decision.reason = "OOF max drawdown \(fmt(entry.backtest?.maxDrawdown)) > \(fmt(maximum))"
            } else if let minimum = rules.aucMin, (entry.oofRocAuc ?? 0) <= minimum {
                decision.reason = "OOF ROC-AUC \(fmt(entry.oofRocAuc)) ≤ \(fmt(minimum))"
            } else if let minimum = rules.deflatedSharpeMin, !((entry.deflatedSharpe ?? 0) >= minimum) {
                decision.reason =
                    "Deflated Sharpe \(fmt(entry.deflatedSharpe)) < \(fmt(minimum)) given the run's independent trials"
            } else if let minimum = rules.holdoutSharpeMin, !((entry.holdout?.sharpe ?? -.infinity) > minimum) {
                decision.reason =
                    entry.holdout == nil
                    ? "no holdout figures (--holdout-days 0 or no holdout bars)"
                    : "holdout Sharpe after costs \(fmt(entry.holdout?.sharpe)) ≤ \(fmt(minimum)) (\(entry.holdout?.trades ?? 0) trades)"
            } else {
                passing.append(decision)
                continue
            }
            decisions.append(decision)
        }
        passing.sort { ($0.sharpe ?? 0, $1.pair) > ($1.sharpe ?? 0, $0.pair) }
        for (index, var decision) in passing.enumerated() {
            decision.rank = index + 1
            decision.selected = index < rules.topK
            if !decision.selected {
                decision.reason = "outside the top \(rules.topK)"
            } else if rules.hasGuardrails {
                decision.reason = "passed every guardrail (rank \(index + 1) by OOF Sharpe)"
            } else {
                decision.reason =
                    "selected without guardrails (rank \(index + 1) by OOF Sharpe)"
                    + (inSample.map { "; figures in sample: \($0)" } ?? "")
            }
            decisions.append(decision)
        }
        return decisions.sorted { ($0.rank ?? Int.max, $0.pair) < ($1.rank ?? Int.max, $1.pair) }
    }

    public func run(rules: SelectionRules, now: Int64 = UTCTime.nowMilliseconds()) throws -> (
        result: SelectionResult, path: String
    ) {
        try SettingError.check(rules.topK >= 1, "top_k", "must be at least 1 (got \(rules.topK))")
        let report = try TrainStage(store: store, locations: locations).latestReport()
        let runId = report.runId
        let inSample = report.timeline.inSampleReason
        let decisions = Self.decide(report.pairs, rules: rules, inSample: inSample)
        let warning = rules.hasGuardrails ? nil : SelectionRules.noGuardrailsWarning
        var result = SelectionResult(
            runId: runId, rules: rules, guardrails: rules.hasGuardrails, warning: warning, inSample: inSample,
            trials: report.trials, independentTrials: report.independentTrials, pbo: report.pbo?.pbo,
            decisions: decisions)
        try portfolioFigures(&result, report: report)
        let encoded = try ProjectJSON.encoder().encode(result)
        try store.write { db in
            try SelectionRecords.replace(
                db, runId: runId, decisions: decisions, guardrails: rules.hasGuardrails,
                result: String(decoding: encoded, as: UTF8.self), createdAt: now)
        }
        // An export; the router and the pipeline read the selection from the store.
        let path = locations.dataPath("training", "selection.json")
        try AtomicFile.write(encoded, to: path)
        return (result, path)
    }

    /// The latest complete run's selection as the store keeps it; nil when that run was not
    /// selected yet (or was selected before selections were kept whole in the store).
    public func latestResult() throws -> SelectionResult? {
        let stored = try store.read { db -> String? in
            guard let runId = try TrainingRunRecords.latestCompleteId(db) else { return nil }
            return try SelectionRecords.result(db, runId: runId)
        }
        return try stored.map { try ProjectJSON.decoder().decode(SelectionResult.self, from: Data($0.utf8)) }
    }

    /// The selected pairs' equal-sleeve portfolio (equal capital per pair at the start, never rebalanced), out of fold and on the holdout.
    func portfolioFigures(_ result: inout SelectionResult, report: TrainingReport) throws {
        func portfolio(_ period: TrainingRunRecords.Period, _ pairs: [String], trades: (PairReportEntry) -> Int?)
            throws -> (result: BacktestResult?, equity: [EquityPoint], returns: [Double])
        {
            let streams = try store.read { db in
                try pairs.map { pair in
                    try TrainingRunRecords.returns(db, runId: result.runId, pair: pair, period: period)
                }
            }
            let count = report.pairs.filter { pairs.contains($0.pair) }.reduce(0) { $0 + (trades($1) ?? 0) }
            return Backtest.portfolio(streams, trades: count, barsPerYear: report.settings.barsPerYear)
        }
        let oof = try portfolio(.outOfFold, result.selected) { $0.backtest?.trades }
        result.portfolio = oof.result
        if !oof.returns.isEmpty {
            result.portfolioDeflatedSharpe = DeflatedSharpe.ratio(
                returns: oof.returns, independentTrials: report.independentTrials)
        }
        result.portfolioHoldout = try portfolio(.holdout, result.selected) { $0.holdout?.trades }.result
        // Every pair the rules other than the holdout gate kept: its holdout is not conditioned on itself.
        var ungated = result.rules
        ungated.holdoutSharpeMin = nil
        ungated.topK = Int.max
        let beforeGate = Self.decide(report.pairs, rules: ungated, inSample: result.inSample).filter(\.selected).map(
            \.pair)
        result.holdoutBeforeGate = try portfolio(.holdout, beforeGate) { $0.holdout?.trades }.result
    }
}
