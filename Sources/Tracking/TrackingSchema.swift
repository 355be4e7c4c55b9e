import GRDB
import Store

extension StoreSchema {
    /// What was meant for MLflow, kept locally first so that a tracking server that is down loses
    /// nothing: each entry (a training run, a selection, a router version) with its files, the MLflow
    /// run each training run became on each server, and which entries each server has.
    public static let tracking = StoreSchema(
        owner: "Tracking",
        migrations: [
            Migration("tracking.v1") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE IF NOT EXISTS tracking_entries (
                            key TEXT PRIMARY KEY,
                            seq INTEGER NOT NULL,
                            training_run TEXT NOT NULL,
                            payload BLOB NOT NULL,
                            created_at INTEGER NOT NULL
                        );
                        CREATE TABLE IF NOT EXISTS tracking_files (
                            entry_key TEXT NOT NULL REFERENCES tracking_entries(key) ON DELETE CASCADE,
                            path TEXT NOT NULL,
                            bytes BLOB NOT NULL,
                            PRIMARY KEY (entry_key, path)
                        );
                        CREATE TABLE IF NOT EXISTS tracking_runs (
                            tracking_uri TEXT NOT NULL,
                            experiment TEXT NOT NULL,
                            training_run TEXT NOT NULL,
                            mlflow_run_id TEXT NOT NULL,
                            artifact_uri TEXT NOT NULL,
                            PRIMARY KEY (tracking_uri, experiment, training_run)
                        );
                        CREATE TABLE IF NOT EXISTS tracking_synced (
                            entry_key TEXT NOT NULL,
                            tracking_uri TEXT NOT NULL,
                            synced_at INTEGER NOT NULL,
                            PRIMARY KEY (entry_key, tracking_uri)
                        );
                        """)
            }
        ])
}
