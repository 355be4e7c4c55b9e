import Foundation
import GRDB
import MarketData
import Basics
import Store

/// `mntrading dataset`: labels every pair that has features and records the dataset (definition,
/// per-row labels and forward moves) in the store. The inputs themselves are rebuilt from the
/// features table when needed, so a dataset costs no second copy of the features. Rebuilding the
/// same definition replaces its rows: no duplicates.
public struct DatasetStage: Sendable {
    public let store: DataStore

    public init(store: DataStore) { self.store = store }

    /// `screeningRun`: the screen the pairs come from (nil: a pairs file, screen unknown).
    public func build(
        _ definition: DatasetDefinition, pairs: [PairID], screeningRun: String?,
        now: Int64 = UTCTime.nowMilliseconds()
    ) throws -> DatasetSummary {
        try definition.validate()
        var definition = definition
        definition.features = try featureParameters(pairs: pairs, timeframe: definition.timeframe)
        let id = definition.identifier
        var summary = DatasetSummary(datasetId: id, pairs: 0, rows: 0, labelledRows: 0, positiveRate: nil, perPair: [])
        var datasets: [PairDataset] = []
        for pair in pairs {
            let rows = try store.featureRows(pair: pair.text, timeframe: definition.timeframe)
            let dataset = PairDataset(pair: pair.text, rows: rows, definition: definition)
            guard dataset.count > 0 else { continue }
            datasets.append(dataset)
        }
        guard !datasets.isEmpty else {
            throw MarketDataError.invalidArgument(
                "no \(definition.timeframe) features for the selected pairs; run `mntrading features` first")
        }
        var positives = 0
        try store.write { db in
            try db.execute(sql: "DELETE FROM dataset_rows WHERE dataset_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM datasets WHERE id = ?", arguments: [id])
            // The record first (rows reference it), its totals once the rows are in.
            try db.execute(
                sql: """
                    INSERT INTO datasets (id, created_at, timeframe, parameters, pairs, rows, labelled_rows, positive_rate, screening_run_id)
                    VALUES (?, ?, ?, ?, 0, 0, 0, NULL, ?)
                    """,
                arguments: [id, now, definition.timeframe.rawValue, try ProjectJSON.string(definition), screeningRun])
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO dataset_rows (dataset_id, pair, open_time, label, forward_move) VALUES (?, ?, ?, ?, ?)
                    """)
            for dataset in datasets {
                var pairPositives = 0
                for index in 0..<dataset.count {
                    try statement.execute(arguments: [
                        id, dataset.pair, dataset.openTimes[index], dataset.labels[index], dataset.forwardMoves[index]
                    ])
                    pairPositives += dataset.labels[index] ?? 0
                }
                positives += pairPositives
                summary.perPair.append((dataset.pair, dataset.count, dataset.labelledCount, pairPositives))
                summary.rows += dataset.count
                summary.labelledRows += dataset.labelledCount
            }
            summary.pairs = datasets.count
            summary.positiveRate = summary.labelledRows > 0 ? Double(positives) / Double(summary.labelledRows) : nil
            try db.execute(
                sql: "UPDATE datasets SET pairs = ?, rows = ?, labelled_rows = ?, positive_rate = ? WHERE id = ?",
                arguments: [summary.pairs, summary.rows, summary.labelledRows, summary.positiveRate, id])
        }
        return summary
    }

    /// The one set of windows every pair's features were computed with.
    func featureParameters(pairs: [PairID], timeframe: Timeframe) throws -> FeatureParameters {
        let stored = try store.read { db in
            try FeatureStage.storedParameters(pairs: pairs.map(\.text), timeframe: timeframe, in: db)
        }
        guard let first = stored.values.first else {
            throw MarketDataError.invalidArgument(
                "no \(timeframe) features for the selected pairs; run `mntrading features` first")
        }
        guard stored.values.allSatisfy({ $0 == first }) else {
            let listing = stored.sorted { $0.key < $1.key }.map {
                "\($0.key): β window \($0.value.betaWindow), z window \($0.value.zWindow)"
            }
            throw MarketDataError.invalidArgument(
                "the pairs' features were computed with different windows (\(listing.joined(separator: "; "))); rerun `mntrading features` for all of them with one --beta-window and --z-window"
            )
        }
        return first
    }
}
