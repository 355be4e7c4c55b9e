import Foundation
import GRDB
import MarketData
import ModelFormat
import PairResearch
import Store
import Basics
import TrainingRecords

/// `mntrading router`: bundles the selected champions of the latest training run into a new,
/// immutable router version (`models/<name>/<version>/`) and points an alias at it.
public struct RouterBuilder: Sendable {
    public let store: DataStore
    public let models: ModelStore

    public init(store: DataStore, models: ModelStore) {
        self.store = store
        self.models = models
    }

    public func build(name: String, alias: String?, now: Date = Date()) throws -> (
        version: Int, directory: String, members: Int
    ) {
        try ModelStore.validate(name: name)
        if let alias { try ModelStore.validate(name: alias) }
        // Everything from the training run: its dataset (and so its feature windows), its settings
        // and its selection; the store's current features must still be the ones it trained on.
        let (run, dataset, selected, guardrails) = try store.read {
            db -> (TrainingRunRecord, DatasetRecord, [TrainingRunRecords.StoredPair], Bool) in
            let run = try TrainingRunRecord.latestComplete(db)
            let runId = run.id
            let dataset = try DatasetRecord.load(db, id: run.datasetId)
            let (rows, guardrails) = try TrainingRunRecords.selectedPairs(db, runId: runId)
            guard !rows.isEmpty else {
                throw TrainingError.missingInput(
                    "no pair of training run \(runId) is selected; run `mntrading select` (nothing to deploy)")
            }
            try dataset.checkFeatures(
                db, pairs: rows.map(\.result.pair), action: "build a router from training run \(runId)")
            return (run, dataset, rows, guardrails)
        }
        let runId = run.id
        let screenFigures = try store.read { db in try dataset.screenFigures(db) }
        let definition = dataset.definition
        let featureParameters = definition.features
        var members: [RouterManifest.Member] = []
        var files: [(file: String, bytes: [UInt8])] = []
        var exampleRows: [[Any]] = []
        for stored in selected {
            let result = stored.result
            let pair = result.pair
            let member = try XGBoostExport.member(fromJSON: stored.model ?? [], standardisation: result.standardisation)
            let file = RouterVersion.memberFile(pair: pair)
            files.append((file, try ONNXMember.serialize(member, name: pair)))
            var metrics: [String: Double] = [:]
            metrics["oof_roc_auc"] = result.oof?.rocAUC
            metrics["oof_pr_auc"] = result.oof?.prAUC
            metrics["oof_brier"] = result.oof?.brier
            metrics["oof_log_loss"] = result.oof?.logLoss
            metrics["sharpe"] = result.backtest?.sharpe
            metrics["max_drawdown"] = result.backtest?.maxDrawdown
            metrics["cumulative_return"] = result.backtest?.cumulativeReturn
            metrics["oof_trades"] = result.backtest.map { Double($0.trades) }
            metrics["deflated_sharpe"] = result.deflatedSharpe
            metrics["holdout_sharpe"] = result.holdout?.sharpe
            metrics["holdout_return"] = result.holdout?.cumulativeReturn
            metrics["holdout_trades"] = result.holdout.map { Double($0.trades) }
            metrics["screen_pvalue"] = screenFigures[pair]?.pvalue
            metrics.merge(result.expectation?.metrics ?? [:]) { $1 }
            var entry = RouterManifest.Member(
                pair: pair, legs: PairID(pair)?.legs ?? [pair], kind: result.champion?.kind.rawValue ?? "?",
                file: file, calibration: result.calibration, threshold: result.threshold,
                trainingWindow: result.trainingWindow.map(UTCTime.format), metrics: metrics)
            entry.entryZ = result.entryZ
            members.append(entry)
            // The example request scores the newest bar of every member: its row and the lags before it.
            let newest = try store.latestFeatureRows(
                pair: pair, timeframe: definition.timeframe, count: definition.lagFeatures + 1)
            let dataset = PairDataset(pair: pair, rows: newest, definition: definition)
            if dataset.count > 0 {
                let width = dataset.featureNames.count, last = dataset.count - 1
                exampleRows.append([pair] + (0..<width).map { dataset.features[last * width + $0] })
            }
        }
        let columns = definition.featureNames
        let createdAt = UTCTime.format(Int64(now.timeIntervalSince1970 * 1000))
        let version = try models.addVersion(name) { directory, version in
            var manifest = RouterManifest(
                name: name, version: version, createdAt: createdAt, codeVersion: TrainStage.codeVersion,
                trainingRun: runId,
                featureColumns: columns,
                featureParameters: .init(
                    timeframe: definition.timeframe.rawValue, betaWindow: featureParameters.betaWindow,
                    zWindow: featureParameters.zWindow, lagFeatures: definition.lagFeatures,
                    labelType: definition.labelType.rawValue, zscoreThreshold: definition.zscoreThreshold,
                    horizon: definition.horizon),
                members: members)
            manifest.execution = run.settings.execution
            manifest.guardrails = guardrails
            manifest.trials = run.trials
            manifest.pbo = run.pbo
            try RouterVersion.write(
                manifest: manifest, members: files, exampleRows: exampleRows,
                mlmodelUUID: UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""), createdAt: now,
                into: directory)
        }
        if let alias { try models.setAlias(name, alias: alias, version: version) }
        return (version, models.versionDirectory(name, version), members.count)
    }
}
