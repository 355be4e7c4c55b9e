import Foundation
import GRDB
import MarketData
import PairResearch
import Portfolio

/// Guardrails a pair must pass to be deployed. nil disables one; all nil is allowed but warned about.
public struct SelectionRules: Codable, Sendable, Equatable {
    public var sharpeMin: Double? = 0.2
    public var maxDrawdownMax: Double? = 0.5
    public var aucMin: Double? = 0.55
    public var topK = 20

    public init() {}

    public var hasGuardrails: Bool { sharpeMin != nil || maxDrawdownMax != nil || aucMin != nil }
}

public struct SelectionDecision: Codable, Sendable, Equatable {
    public var pair: String
    public var selected: Bool
    public var reason: String
    public var rank: Int?
    public var sharpe: Double?
    public var maxDrawdown: Double?
    public var oofRocAuc: Double?
}

public struct SelectionResult: Codable, Sendable {
    public var runId: String
    public var rules: SelectionRules
    public var warning: String?
    public var decisions: [SelectionDecision]
    public var selected: [String] { decisions.filter(\.selected).map(\.pair) }
}

/// `mntrading select`: keeps the trained pairs whose out-of-fold backtest and AUC pass the rules,
/// best Sharpe first, at most top-k; records every decision with its reason in the store and in
/// `<data-dir>/training/selection.json`.
public struct SelectStage: Sendable {
    public let store: MarketStore
    public let locations: Locations

    public init(store: MarketStore, locations: Locations) {
        self.store = store
        self.locations = locations
    }

    public static func decide(_ entries: [PairReportEntry], rules: SelectionRules) -> [SelectionDecision] {
        var decisions: [SelectionDecision] = []
        var passing: [SelectionDecision] = []
        for entry in entries {
            var decision = SelectionDecision(pair: entry.pair, selected: false, reason: "", sharpe: entry.backtest?.sharpe,
                                             maxDrawdown: entry.backtest?.maxDrawdown, oofRocAuc: entry.oofRocAuc)
            func fmt(_ value: Double) -> String { String(format: "%.3f", value) }
            if entry.status != "trained" {
                decision.reason = "not trained: \(entry.reason ?? entry.status)"
            } else if let minimum = rules.sharpeMin, (entry.backtest?.sharpe ?? -.infinity) < minimum {
                decision.reason = "OOF Sharpe \(fmt(entry.backtest?.sharpe ?? .nan)) < \(fmt(minimum))"
            } else if let maximum = rules.maxDrawdownMax, (entry.backtest?.maxDrawdown ?? .infinity) > maximum {
                decision.reason = "OOF max drawdown \(fmt(entry.backtest?.maxDrawdown ?? .nan)) > \(fmt(maximum))"
            } else if let minimum = rules.aucMin, (entry.oofRocAuc ?? 0) <= minimum {
                decision.reason = "OOF ROC-AUC \(fmt(entry.oofRocAuc ?? .nan)) ≤ \(fmt(minimum))"
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
            decision.reason = decision.selected ? "passed every guardrail (rank \(index + 1) by OOF Sharpe)" : "outside the top \(rules.topK)"
            decisions.append(decision)
        }
        return decisions.sorted { ($0.rank ?? Int.max, $0.pair) < ($1.rank ?? Int.max, $1.pair) }
    }

    public func run(rules: SelectionRules, now: Int64 = UTCTime.nowMilliseconds()) throws -> (result: SelectionResult, path: String) {
        guard rules.topK >= 1 else { throw TrainingError.invalidArgument("--top-k must be at least 1 (got \(rules.topK))") }
        let (runId, reportFile) = try store.read { db -> (String, String) in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, report_file FROM training_runs WHERE id = (\(TrainingRuns.latestCompleteIdSQL))
                """), let file: String = row["report_file"] else {
                throw TrainingError.invalidArgument("no complete training run in the store; run `mntrading train` first")
            }
            return (row["id"], file)
        }
        let report = try ResearchJSON.decoder().decode(TrainingReport.self, from: Data(contentsOf: URL(fileURLWithPath: reportFile)))
        guard report.runId == runId else {
            throw TrainingError.invalidArgument("\(reportFile) belongs to run \(report.runId), not the latest run \(runId); rerun `mntrading train`")
        }
        let decisions = Self.decide(report.pairs, rules: rules)
        let warning = rules.hasGuardrails ? nil : "no guardrails: every trained pair passes, weak pairs included"
        let result = SelectionResult(runId: runId, rules: rules, warning: warning, decisions: decisions)
        try store.write { db in
            try db.execute(sql: "DELETE FROM selections WHERE run_id = ?", arguments: [runId])
            for decision in decisions {
                try db.execute(sql: """
                    INSERT INTO selections (run_id, pair, selected, reason, rank, sharpe, max_drawdown, oof_roc_auc, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [runId, decision.pair, decision.selected, decision.reason, decision.rank, decision.sharpe,
                                     decision.maxDrawdown, decision.oofRocAuc, now])
            }
        }
        let path = locations.dataPath("training", "selection.json")
        try AtomicFile.write(try ResearchJSON.encoder().encode(result), to: path)
        return (result, path)
    }
}
