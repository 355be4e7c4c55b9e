import Basics
import Foundation
import MarketData
import PairResearch
import Training
import TrainingRecords

extension TrainStage: Stage {
    public struct Inputs: Encodable {
        /// The newest dataset, and its pairs' features: its id comes from its definition, so a
        /// dataset rebuilt for other pairs keeps it.
        var dataset: String
        var definition: DatasetDefinition?
        var features: String
    }

    public func name(_ settings: TrainingSettings) -> String { "train" }

    public func inputs(_ settings: TrainingSettings) throws -> Inputs {
        try store.read { db in
            let newest = try DatasetRecord.latestState(db)
            guard !newest.isEmpty else { return Inputs(dataset: "", definition: nil, features: "") }
            let dataset = try DatasetRecord.load(db)
            return Inputs(
                dataset: newest, definition: dataset.definition,
                features: try FeatureStage.state(pairs: dataset.pairs, timeframe: dataset.definition.timeframe, in: db))
        }
    }

    public func stored(_ settings: TrainingSettings) throws -> TrainingReport? {
        guard try store.read({ db in try TrainingRunRecords.latestCompleteId(db) }) != nil else { return nil }
        return try latestReport()
    }

    public func run(_ settings: TrainingSettings, _ context: StageContext) throws -> (
        output: TrainingReport, summary: String
    ) {
        let (report, _) = try run(
            settings: settings, progress: context.progress, shouldStop: context.shouldStop, timing: context.timing)
        let status = try store.read { db in try TrainingRunRecords.status(db, runId: report.runId) }
        if status != "complete" {
            throw TrainingError.interrupted("interrupted during training; run the pipeline again to resume there")
        }
        let trained = report.pairs.filter { $0.status == "trained" }
        let line =
            "\(trained.count)/\(report.pairs.count) pairs trained, \(report.trials) trials"
            + (report.pbo.map { String(format: ", PBO %.2f", $0.pbo) } ?? "")
        return (report, line)
    }
}
