import GRDB

/// Typed access to `pipeline_stages`: each stage's input fingerprint and one-line summary when it
/// last completed.
enum PipelineStageRecords {
    static func fingerprint(_ db: Database, stage: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT fingerprint FROM pipeline_stages WHERE stage = ?", arguments: [stage])
    }

    static func summary(_ db: Database, stage: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT summary FROM pipeline_stages WHERE stage = ?", arguments: [stage])
    }

    static func record(_ db: Database, stage: String, fingerprint: String, finishedAt: Int64, summary: String) throws {
        try db.execute(
            sql:
                "INSERT OR REPLACE INTO pipeline_stages (stage, fingerprint, finished_at, summary) VALUES (?, ?, ?, ?)",
            arguments: [stage, fingerprint, finishedAt, summary])
    }
}
