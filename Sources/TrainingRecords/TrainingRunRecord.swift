import Foundation
import GRDB
import MarketData
import PairResearch
import Basics

/// A row of `training_runs`, as select, backtest and router read the latest complete one.
public struct TrainingRunRecord: Sendable {
    public var id: String
    public var datasetId: String
    public var settings: TrainingSettings
    public var reportFile: String?
    public var trials: Int?
    public var pbo: Double?

    /// The latest complete run (`TrainingRuns`), or the error every command gives without one.
    public static func latestComplete(_ db: Database) throws -> TrainingRunRecord {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT id, dataset_id, parameters, report_file, trials, pbo FROM training_runs WHERE id = (\(TrainingRunRecords.latestCompleteIdSQL))
                    """)
        else {
            throw TrainingError.missingInput("no complete training run in the store; run `mntrading train` first")
        }
        return TrainingRunRecord(
            id: row["id"], datasetId: row["dataset_id"],
            settings: try ProjectJSON.decoder().decode(
                TrainingSettings.self, from: Data((row["parameters"] as String).utf8)),
            reportFile: row["report_file"], trials: row["trials"], pbo: row["pbo"])
    }
}
