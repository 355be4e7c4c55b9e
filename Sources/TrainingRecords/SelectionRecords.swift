import GRDB

/// Typed access to `selections`: what `mntrading select` decided about each pair of a run.
public enum SelectionRecords {
    /// Replaces the run's selection, in the caller's transaction.
    /// `result`: the whole selection (its portfolio figures too) as the select stage encodes it.
    public static func replace(
        _ db: Database, runId: String, decisions: [SelectionDecision], guardrails: Bool, result: String,
        createdAt: Int64
    ) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO selection_results (run_id, result, created_at) VALUES (?, ?, ?)",
            arguments: [runId, result, createdAt])
        try db.execute(sql: "DELETE FROM selections WHERE run_id = ?", arguments: [runId])
        for decision in decisions {
            try db.execute(
                sql: """
                    INSERT INTO selections (run_id, pair, selected, reason, rank, sharpe, max_drawdown, oof_roc_auc, created_at,
                        oof_trades, deflated_sharpe, holdout_sharpe, holdout_trades, guardrails)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    runId, decision.pair, decision.selected, decision.reason, decision.rank, decision.sharpe,
                    decision.maxDrawdown, decision.oofRocAuc, createdAt, decision.trades, decision.deflatedSharpe,
                    decision.holdoutSharpe, decision.holdoutTrades, guardrails
                ])
        }
    }

    /// Every run's selected flags, as the pipeline's router fingerprint records them.
    public static func state(_ db: Database) throws -> String {
        try Row.fetchAll(db, sql: "SELECT pair, selected FROM selections ORDER BY run_id, pair").map { "\($0)" }.joined(
            separator: "\n")
    }

    /// The run's whole selection as `replace` stored it (nil: not selected yet, or selected before
    /// results were kept in the store).
    public static func result(_ db: Database, runId: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT result FROM selection_results WHERE run_id = ?", arguments: [runId])
    }
}
