import Foundation
import GRDB
import MarketData
import PairResearch

/// The dataset a run trains on, as the store records it.
public struct DatasetRecord: Sendable {
    public var id: String
    public var definition: DatasetDefinition
    public var pairs: [String]
    /// The screen the pairs came from; nil for a pairs file.
    public var screeningRunId: String?

    /// The newest dataset, or the one with `id`.
    public static func load(_ db: Database, id: String? = nil) throws -> DatasetRecord {
        let row = try id.map { try Row.fetchOne(db, sql: "SELECT id, parameters, screening_run_id FROM datasets WHERE id = ?", arguments: [$0]) }
            ?? Row.fetchOne(db, sql: "SELECT id, parameters, screening_run_id FROM datasets ORDER BY created_at DESC, id LIMIT 1")
        guard let row else {
            throw TrainingError.invalidArgument(id.map { "dataset \($0) is no longer in the store; rerun `mntrading dataset` and `mntrading train`" }
                                                ?? "no dataset in the store; run `mntrading dataset` first")
        }
        let datasetId: String = row["id"]
        let definition = try ResearchJSON.decoder().decode(DatasetDefinition.self, from: Data((row["parameters"] as String).utf8))
        let pairs = try String.fetchAll(db, sql: "SELECT DISTINCT pair FROM dataset_rows WHERE dataset_id = ? ORDER BY pair", arguments: [datasetId])
        return DatasetRecord(id: datasetId, definition: definition, pairs: pairs, screeningRunId: row["screening_run_id"])
    }

    /// Each pair's statistics in the screen its pairs came from (none for a pairs file).
    public func screenFigures(_ db: Database) throws -> [String: PairReportEntry.ScreenFigures] {
        guard let screeningRunId else { return [:] }
        var figures: [String: PairReportEntry.ScreenFigures] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT pair, pvalue, half_life, corr, beta FROM screened_pairs WHERE run_id = ?", arguments: [screeningRunId]) {
            figures[row["pair"]] = .init(pvalue: row["pvalue"], halfLifeBars: row["half_life"], corr: row["corr"], beta: row["beta"])
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
                throw TrainingError.invalidArgument("""
                    cannot \(action): \(pair)'s features are now computed with \(described), but dataset \(id) was built on β window \(definition.features.betaWindow), z window \(definition.features.zWindow); rerun `mntrading features` with the dataset's windows, or `mntrading dataset` and `mntrading train` on the new ones
                    """)
            }
        }
    }
}

/// A screening run as training needs it: its rules and the window of bars it saw.
struct ScreenRecord {
    var parameters: ScreeningParameters
    /// First bar's open and last bar's close (ms); nil for runs stored before windows were.
    var window: [Int64]?

    /// nil for a dataset whose pairs came from a file.
    static func load(_ id: String?, store: MarketStore) throws -> ScreenRecord? {
        guard let id, let row = try store.read({ db in
            try Row.fetchOne(db, sql: "SELECT parameters, window_start, window_end FROM screening_runs WHERE id = ?", arguments: [id])
        }) else { return nil }
        let parameters = try ResearchJSON.decoder().decode(ScreeningParameters.self, from: Data((row["parameters"] as String).utf8))
        let window = (row["window_start"] as Int64?).flatMap { start in (row["window_end"] as Int64?).map { [start, $0] } }
        return ScreenRecord(parameters: parameters, window: window)
    }
}
