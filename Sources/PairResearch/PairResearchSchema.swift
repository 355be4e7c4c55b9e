import GRDB
import Store

extension StoreSchema {
    /// Screens and their pairs, feature sets and rows, datasets and their labelled rows.
    /// Also brings a store made before the tables were split by owner (migrations v1…v7) up to date.
    public static let pairResearch = StoreSchema(
        owner: "PairResearch",
        migrations: [
            Migration("pair_research.v1") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE IF NOT EXISTS screening_runs (
                            id TEXT PRIMARY KEY,
                            created_at INTEGER NOT NULL,
                            timeframe TEXT NOT NULL,
                            parameters TEXT NOT NULL,
                            symbols INTEGER NOT NULL,
                            pairs_tested INTEGER NOT NULL,
                            pairs_selected INTEGER NOT NULL,
                            file TEXT NOT NULL,
                            window_start INTEGER,
                            window_end INTEGER
                        );
                        CREATE TABLE IF NOT EXISTS screened_pairs (
                            run_id TEXT NOT NULL REFERENCES screening_runs(id) ON DELETE CASCADE,
                            pair TEXT NOT NULL,
                            a TEXT NOT NULL,
                            b TEXT NOT NULL,
                            selected INTEGER NOT NULL,
                            reason TEXT,
                            beta REAL, alpha REAL, adf_stat REAL, pvalue REAL, lags INTEGER,
                            half_life REAL, corr REAL, n INTEGER,
                            crit_1 REAL, crit_5 REAL, crit_10 REAL,
                            PRIMARY KEY (run_id, pair)
                        );
                        CREATE TABLE IF NOT EXISTS feature_sets (
                            pair TEXT NOT NULL,
                            timeframe TEXT NOT NULL,
                            a TEXT NOT NULL,
                            b TEXT NOT NULL,
                            parameters TEXT NOT NULL,
                            first_open_time INTEGER NOT NULL,
                            last_open_time INTEGER,
                            rows INTEGER NOT NULL,
                            PRIMARY KEY (pair, timeframe)
                        );
                        CREATE TABLE IF NOT EXISTS features (
                            pair TEXT NOT NULL,
                            timeframe TEXT NOT NULL,
                            open_time INTEGER NOT NULL,
                            close_a REAL NOT NULL, close_b REAL NOT NULL,
                            beta REAL NOT NULL, alpha REAL NOT NULL, spread REAL NOT NULL,
                            z REAL NOT NULL, z_velocity REAL NOT NULL, z_acceleration REAL NOT NULL,
                            spread_volatility REAL NOT NULL, half_life REAL NOT NULL,
                            volume_ratio_a REAL NOT NULL, volume_ratio_b REAL NOT NULL,
                            beta_long REAL NOT NULL, z_long REAL NOT NULL,
                            PRIMARY KEY (pair, timeframe, open_time)
                        ) WITHOUT ROWID;
                        CREATE TABLE IF NOT EXISTS datasets (
                            id TEXT PRIMARY KEY,
                            created_at INTEGER NOT NULL,
                            timeframe TEXT NOT NULL,
                            parameters TEXT NOT NULL,
                            pairs INTEGER NOT NULL,
                            rows INTEGER NOT NULL,
                            labelled_rows INTEGER NOT NULL,
                            positive_rate REAL,
                            screening_run_id TEXT
                        );
                        CREATE TABLE IF NOT EXISTS dataset_rows (
                            dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
                            pair TEXT NOT NULL,
                            open_time INTEGER NOT NULL,
                            label INTEGER,
                            forward_move REAL,
                            PRIMARY KEY (dataset_id, pair, open_time)
                        ) WITHOUT ROWID;
                        """)
                try StoreSchema.addMissingColumns(
                    db, table: "screening_runs", [("window_start", "INTEGER"), ("window_end", "INTEGER")])
                try StoreSchema.addMissingColumns(db, table: "datasets", [("screening_run_id", "TEXT")])
            }
        ])
}
