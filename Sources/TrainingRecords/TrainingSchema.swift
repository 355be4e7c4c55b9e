import GRDB
import Store

extension StoreSchema {
    /// Training runs, each pair's result, the out-of-fold and holdout series, the selections.
    /// Also brings a store made before the tables were split by owner (migrations v1…v7) up to date.
    public static let training = StoreSchema(
        owner: "TrainingRecords",
        migrations: [
            Migration("training.v1") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE IF NOT EXISTS training_runs (
                            id TEXT PRIMARY KEY,
                            created_at INTEGER NOT NULL,
                            status TEXT NOT NULL,
                            dataset_id TEXT NOT NULL,
                            parameters TEXT NOT NULL,
                            code_version TEXT NOT NULL,
                            window_start INTEGER,
                            window_end INTEGER,
                            pairs INTEGER NOT NULL,
                            trained INTEGER NOT NULL,
                            report_file TEXT,
                            holdout_start INTEGER,
                            trials INTEGER,
                            pbo REAL
                        );
                        CREATE TABLE IF NOT EXISTS training_pairs (
                            run_id TEXT NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
                            pair TEXT NOT NULL,
                            status TEXT NOT NULL,
                            reason TEXT,
                            result TEXT NOT NULL,
                            model BLOB,
                            PRIMARY KEY (run_id, pair)
                        );
                        CREATE TABLE IF NOT EXISTS oof_predictions (
                            run_id TEXT NOT NULL,
                            pair TEXT NOT NULL,
                            open_time INTEGER NOT NULL,
                            fold INTEGER NOT NULL,
                            raw REAL NOT NULL,
                            calibrated REAL NOT NULL,
                            label INTEGER NOT NULL,
                            PRIMARY KEY (run_id, pair, open_time)
                        ) WITHOUT ROWID;
                        CREATE TABLE IF NOT EXISTS selections (
                            run_id TEXT NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
                            pair TEXT NOT NULL,
                            selected INTEGER NOT NULL,
                            reason TEXT NOT NULL,
                            rank INTEGER,
                            sharpe REAL,
                            max_drawdown REAL,
                            oof_roc_auc REAL,
                            created_at INTEGER NOT NULL,
                            oof_trades INTEGER,
                            deflated_sharpe REAL,
                            holdout_sharpe REAL,
                            holdout_trades INTEGER,
                            guardrails INTEGER,
                            PRIMARY KEY (run_id, pair)
                        );
                        CREATE TABLE IF NOT EXISTS oof_returns (
                            run_id TEXT NOT NULL,
                            pair TEXT NOT NULL,
                            open_time INTEGER NOT NULL,
                            ret REAL NOT NULL,
                            PRIMARY KEY (run_id, pair, open_time)
                        ) WITHOUT ROWID;
                        CREATE TABLE IF NOT EXISTS holdout_returns (
                            run_id TEXT NOT NULL,
                            pair TEXT NOT NULL,
                            open_time INTEGER NOT NULL,
                            ret REAL NOT NULL,
                            PRIMARY KEY (run_id, pair, open_time)
                        ) WITHOUT ROWID;
                        """)
                try StoreSchema.addMissingColumns(
                    db, table: "training_runs", [("holdout_start", "INTEGER"), ("trials", "INTEGER"), ("pbo", "REAL")])
                try StoreSchema.addMissingColumns(
                    db, table: "selections",
                    [
                        ("oof_trades", "INTEGER"), ("deflated_sharpe", "REAL"), ("holdout_sharpe", "REAL"),
                        ("holdout_trades", "INTEGER"), ("guardrails", "INTEGER")
                    ])
            },
            // The stages' outputs kept in the store, so that the next stage reads them from here:
            // the run's report (select reads it) and the selection's result (the pipeline and the
            // tracking read it); report.json and selection.json are exports of these.
            Migration("training.v2") { db in
                try StoreSchema.addMissingColumns(db, table: "training_runs", [("report", "TEXT")])
                try db.execute(
                    sql: """
                        CREATE TABLE IF NOT EXISTS selection_results (
                            run_id TEXT PRIMARY KEY REFERENCES training_runs(id) ON DELETE CASCADE,
                            result TEXT NOT NULL,
                            created_at INTEGER NOT NULL
                        );
                        """)
            }
        ])
}
