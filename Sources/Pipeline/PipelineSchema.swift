import GRDB
import Store

extension StoreSchema {
    /// The fingerprint of each pipeline stage's inputs when it last completed.
    public static let pipeline = StoreSchema(
        owner: "Pipeline",
        migrations: [
            Migration("pipeline.v1") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE IF NOT EXISTS pipeline_stages (
                            stage TEXT PRIMARY KEY,
                            fingerprint TEXT NOT NULL,
                            finished_at INTEGER NOT NULL,
                            summary TEXT NOT NULL
                        );
                        """)
            }
        ])
}
