import Foundation
import GRDB
import MarketData
import Basics
import Store

/// Typed access to `signals`: one row per scored bar, pair and model version.
public enum SignalRecords {
    /// Inserts the signals that are new (pair, bar, model version); returns how many were. Runs in
    /// the caller's transaction so the insert and whatever follows commit together.
    public static func insert(_ records: [SignalRecord], in db: Database) throws -> Int {
        var inserted = 0
        for record in records {
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO signals (\(SignalRecord.columns))
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.pair, record.openTime, record.modelVersion, record.modelName, record.timeframe, record.legA,
                    record.legB, record.proba, record.signal, record.threshold, record.z, record.beta, record.closeA,
                    record.closeB, record.spreadVolatility, record.scoredAt
                ])
            inserted += db.changesCount
        }
        return inserted
    }

    /// Every stored signal whose bar falls on the UTC day `day` (`2024-06-01`), in a stable order.
    public static func onDay(_ day: String, store: DataStore) throws -> [SignalRecord] {
        guard let start = UTCTime.parse(day) else {
            throw MarketDataError.invalidArgument("'\(day)' is not a UTC date")
        }
        return try store.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(SignalRecord.columns) FROM signals WHERE open_time >= ? AND open_time < ?
                    ORDER BY open_time, pair, model_version
                    """, arguments: [start, start + 86_400_000]
            ).map(SignalRecord.init(row:))
        }
    }

    /// The newest scored bar of a model version (the newest version when nil), with the signals of
    /// every pair scored at that bar: the input of the aggregation. Pairs whose newest signal is
    /// older are returned as stale, so a pair whose data stopped never trades on an old bar.
    public static func latest(modelVersion: Int? = nil, store: DataStore) throws -> (
        asOf: Int64, signals: [SignalRecord], stale: [String]
    )? {
        try store.read { db in
            let version: Int? =
                try modelVersion
                ?? Int.fetchOne(
                    db,
                    sql: """
                        SELECT model_version FROM signals ORDER BY scored_at DESC, open_time DESC, model_version DESC LIMIT 1
                        """)
            guard let version,
                let asOf = try Int64.fetchOne(
                    db, sql: "SELECT MAX(open_time) FROM signals WHERE model_version = ?", arguments: [version])
            else { return nil }
            let current = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(SignalRecord.columns) FROM signals WHERE model_version = ? AND open_time = ? ORDER BY pair
                    """, arguments: [version, asOf]
            ).map(SignalRecord.init(row:))
            let fresh = Set(current.map(\.pair))
            let stale = try String.fetchAll(
                db, sql: "SELECT DISTINCT pair FROM signals WHERE model_version = ? ORDER BY pair",
                arguments: [version]
            ).filter { !fresh.contains($0) }
            return (asOf, current, stale)
        }
    }

    /// `latest` of the version the newest cycle was served (`SignalFiles.servedModel`), or of
    /// `modelVersion` when one is named; the newest scored version only when no cycle left its
    /// metadata (a store filled by hand).
    public static func latestServed(modelVersion: Int? = nil, store: DataStore, locations: Locations) throws
        -> (asOf: Int64, signals: [SignalRecord], stale: [String])?
    {
        try latest(modelVersion: modelVersion ?? SignalFiles.servedModel(locations)?.version, store: store)
    }

    /// The open time of the newest signal stored (any model version).
    public static func newestOpenTime(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT MAX(open_time) FROM signals")
    }

    /// Every stored signal, optionally of one pair, with `from ≤ open_time ≤ to`, by pair, bar and version.
    public static func all(pair: String? = nil, from: Int64 = .min, to: Int64 = .max, in db: Database) throws
        -> [SignalRecord]
    {
        try Row.fetchAll(
            db,
            sql: """
                SELECT \(SignalRecord.columns) FROM signals WHERE (?1 IS NULL OR pair = ?1) AND open_time BETWEEN ?2 AND ?3
                ORDER BY pair, open_time, model_version
                """, arguments: [pair, from, to]
        ).map(SignalRecord.init(row:))
    }
}
