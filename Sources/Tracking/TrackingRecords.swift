import Basics
import Foundation
import GRDB

/// Typed access to the tracking tables (`TrackingSchema`); the only SQL on them.
enum TrackingRecords {
    /// Records an entry and its files unless its key is already there; true when it was new.
    static func record(_ db: Database, _ entry: TrackedEntry, files: [(path: String, bytes: [UInt8])], now: Int64)
        throws -> Bool
    {
        let seq = (try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM tracking_entries") ?? 0) + 1
        try db.execute(
            sql:
                "INSERT OR IGNORE INTO tracking_entries (key, seq, training_run, payload, created_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [
                entry.key, seq, entry.trainingRun,
                try ProjectJSON.encoder(pretty: false, verbatimKeys: true).encode(entry), now
            ])
        guard db.changesCount > 0 else { return false }
        for file in files {
            try db.execute(
                sql: "INSERT OR REPLACE INTO tracking_files (entry_key, path, bytes) VALUES (?, ?, ?)",
                arguments: [entry.key, file.path, Data(file.bytes)])
        }
        return true
    }

    /// The entries `trackingURI` does not have yet, oldest first (a training run before its selection).
    static func pending(_ db: Database, trackingURI: String) throws -> [TrackedEntry] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT payload FROM tracking_entries e
                WHERE NOT EXISTS (SELECT 1 FROM tracking_synced s WHERE s.entry_key = e.key AND s.tracking_uri = ?)
                ORDER BY seq
                """, arguments: [trackingURI])
        return try rows.map {
            try ProjectJSON.decoder(verbatimKeys: true).decode(TrackedEntry.self, from: $0["payload"] as Data)
        }
    }

    static func files(_ db: Database, entry: String) throws -> [(path: String, bytes: [UInt8])] {
        try Row.fetchAll(
            db, sql: "SELECT path, bytes FROM tracking_files WHERE entry_key = ? ORDER BY path", arguments: [entry]
        )
        .map { ($0["path"], [UInt8]($0["bytes"] as Data)) }
    }

    static func markSynced(_ db: Database, entry: String, trackingURI: String, now: Int64) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO tracking_synced (entry_key, tracking_uri, synced_at) VALUES (?, ?, ?)",
            arguments: [entry, trackingURI, now])
    }

    static func mlflowRun(_ db: Database, trackingURI: String, experiment: String, trainingRun: String) throws -> (
        runID: String, artifactURI: String
    )? {
        try Row.fetchOne(
            db,
            sql:
                "SELECT mlflow_run_id, artifact_uri FROM tracking_runs WHERE tracking_uri = ? AND experiment = ? AND training_run = ?",
            arguments: [trackingURI, experiment, trainingRun]
        ).map { ($0["mlflow_run_id"], $0["artifact_uri"]) }
    }

    static func recordMLflowRun(
        _ db: Database, trackingURI: String, experiment: String, trainingRun: String, runID: String, artifactURI: String
    ) throws {
        try db.execute(
            sql:
                "INSERT OR REPLACE INTO tracking_runs (tracking_uri, experiment, training_run, mlflow_run_id, artifact_uri) VALUES (?, ?, ?, ?, ?)",
            arguments: [trackingURI, experiment, trainingRun, runID, artifactURI])
    }
}
