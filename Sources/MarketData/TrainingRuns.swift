import GRDB

/// Which training run is "the latest" everywhere (select, router, backtest, report, pipeline): the
/// newest complete one, ties broken by id. Interrupted and failed runs never count.
public enum TrainingRuns {
    /// The query, for use as a subquery: `WHERE run_id = (\(latestCompleteIdSQL))`.
    public static let latestCompleteIdSQL = "SELECT id FROM training_runs WHERE status = 'complete' ORDER BY created_at DESC, id LIMIT 1"

    public static func latestCompleteId(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: latestCompleteIdSQL)
    }
}
