import Foundation
import GRDB
import MarketData
import Basics
import Store

/// The dataset a run trains on, as the store records it.
public struct DatasetRecord: Sendable {
    public var id: String
    public var definition: DatasetDefinition
    public var pairs: [String]
    /// The screen the pairs came from; nil for a pairs file.
    public var screeningRunId: String?

    /// The newest dataset, or the one with `id`.
    public static func load(_ db: Database, id: String? = nil) throws -> DatasetRecord {
        let row =
            try id.map {
                try Row.fetchOne(
                    db, sql: "SELECT id, parameters, screening_run_id FROM datasets WHERE id = ?", arguments: [$0])
            }
            ?? Row.fetchOne(
                db, sql: "SELECT id, parameters, screening_run_id FROM datasets ORDER BY created_at DESC, id LIMIT 1")
        guard let row else {
            throw MarketDataError.invalidArgument(
                id.map { "dataset \($0) is no longer in the store; rerun `mntrading dataset` and `mntrading train`" }
                    ?? "no dataset in the store; run `mntrading dataset` first")
        }
        let datasetId: String = row["id"]
        let definition = try ProjectJSON.decoder().decode(
            DatasetDefinition.self, from: Data((row["parameters"] as String).utf8))
        let pairs = try String.fetchAll(
            db, sql: "SELECT DISTINCT pair FROM dataset_rows WHERE dataset_id = ? ORDER BY pair", arguments: [datasetId]
        )
        return DatasetRecord(
            id: datasetId, definition: definition, pairs: pairs, screeningRunId: row["screening_run_id"])
    }

    /// The newest dataset's id and time, for the pipeline's fingerprints.
    public static func latestState(_ db: Database) throws -> String {
        try Row.fetchAll(db, sql: "SELECT id, created_at FROM datasets ORDER BY created_at DESC, id LIMIT 1").map {
            "\($0)"
        }.joined(separator: "\n")
    }

    /// The open times of the dataset's first and last row.
    public func rowSpan(_ db: Database) throws -> (first: Int64?, last: Int64?) {
        let row = try Row.fetchOne(
            db, sql: "SELECT MIN(open_time), MAX(open_time) FROM dataset_rows WHERE dataset_id = ?", arguments: [id])
        return (row?[0], row?[1])
    }

    /// Each pair's statistics in the screen its pairs came from (none for a pairs file).
    public func screenFigures(_ db: Database) throws -> [String: ScreenFigures] {
        guard let screeningRunId else { return [:] }
        var figures: [String: ScreenFigures] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT pair, pvalue, half_life, corr, beta FROM screened_pairs WHERE run_id = ?",
            arguments: [screeningRunId])
        {
            figures[row["pair"]] = .init(
                pvalue: row["pvalue"], halfLifeBars: row["half_life"], corr: row["corr"], beta: row["beta"])
        }
        return figures
    }

    /// Throws when a pair's features in the store were computed with other windows than this
    /// dataset's: a model must be trained, and served, on the features it was built from.
    public func checkFeatures(_ db: Database, pairs: [String]? = nil, action: String) throws {
        let checked = pairs ?? self.pairs
        let stored = try FeatureStage.storedParameters(pairs: checked, timeframe: definition.timeframe, in: db)
        for pair in checked {
            let now = stored[pair]
            guard now == definition.features else {
                let described = now.map { "β window \($0.betaWindow), z window \($0.zWindow)" } ?? "none"
                throw MarketDataError.invalidArgument(
                    """
                    cannot \(action): \(pair)'s features are now computed with \(described), but dataset \(id) was built on β window \(definition.features.betaWindow), z window \(definition.features.zWindow); rerun `mntrading features` with the dataset's windows, or `mntrading dataset` and `mntrading train` on the new ones
                    """)
            }
        }
    }

    /// The dataset's rows, optionally of one pair, with `from ≤ open_time ≤ to`, by pair and time;
    /// label and forward move are nil where the horizon ran past the data.
    public func rows(_ db: Database, pair: String? = nil, from: Int64 = .min, to: Int64 = .max) throws -> [(
        pair: String, openTime: Int64, label: Int?, forwardMove: Double?
    )] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT pair, open_time, label, forward_move FROM dataset_rows
                WHERE dataset_id = ?1 AND (?2 IS NULL OR pair = ?2) AND open_time BETWEEN ?3 AND ?4 ORDER BY pair, open_time
                """, arguments: [id, pair, from, to]
        ).map { ($0[0], $0[1], $0[2], $0[3]) }
    }
}
