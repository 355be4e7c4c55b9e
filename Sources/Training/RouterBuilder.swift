import Foundation
import GRDB
import MarketData
import ModelFormat
import PairResearch

/// `mntrading router`: bundles the selected champions of the latest training run into a new,
/// immutable router version (`models/<name>/<version>/`) and points an alias at it.
public struct RouterBuilder: Sendable {
    public let store: MarketStore
    public let models: ModelStore

    public init(store: MarketStore, models: ModelStore) {
        self.store = store
        self.models = models
    }

    public func build(name: String, alias: String?, now: Date = Date()) throws -> (version: Int, directory: String) {
        try ModelStore.validate(name: name)
        if let alias { try ModelStore.validate(name: alias) }
        let stage = TrainStage(store: store, locations: Locations())
        let (_, definition, _) = try stage.latestDataset()
        let (runId, selected) = try store.read { db -> (String, [Row]) in
            guard let runId = try TrainingRuns.latestCompleteId(db) else {
                throw TrainingError.invalidArgument("no complete training run in the store; run `mntrading train` first")
            }
            let rows = try Row.fetchAll(db, sql: """
                SELECT p.pair, p.result, p.model FROM selections s JOIN training_pairs p ON p.run_id = s.run_id AND p.pair = s.pair
                WHERE s.run_id = ? AND s.selected = 1 AND p.status = 'trained' ORDER BY s.rank, p.pair
                """, arguments: [runId])
            return (runId, rows)
        }
        guard !selected.isEmpty else {
            throw TrainingError.invalidArgument("no pair of training run \(runId) is selected; run `mntrading select` (nothing to deploy)")
        }
        let featureParameters = try store.read { db -> FeatureParameters in
            let text = try String.fetchOne(db, sql: "SELECT parameters FROM feature_sets WHERE pair = ? AND timeframe = ?",
                                           arguments: [selected[0]["pair"] as String, definition.timeframe.rawValue]) ?? "{}"
            return try ResearchJSON.decoder().decode(FeatureParameters.self, from: Data(text.utf8))
        }
        var members: [RouterManifest.Member] = []
        var files: [(String, [UInt8])] = []
        var exampleRows: [[Any]] = []
        for row in selected {
            let pair: String = row["pair"]
            let result = try ResearchJSON.decoder().decode(PairTrainingResult.self, from: Data((row["result"] as String).utf8))
            let member = try XGBoostExport.member(fromJSON: [UInt8]((row["model"] as Data?) ?? Data()), standardisation: result.standardisation)
            let file = "members/\(pair).onnx"
            files.append((file, try ONNXMember.serialize(member, name: pair)))
            var metrics: [String: Double] = [:]
            metrics["oof_roc_auc"] = result.oof?.rocAUC
            metrics["oof_pr_auc"] = result.oof?.prAUC
            metrics["oof_brier"] = result.oof?.brier
            metrics["oof_log_loss"] = result.oof?.logLoss
            metrics["sharpe"] = result.backtest?.sharpe
            metrics["max_drawdown"] = result.backtest?.maxDrawdown
            metrics["cumulative_return"] = result.backtest?.cumulativeReturn
            members.append(.init(pair: pair, legs: pair.components(separatedBy: "__"), kind: result.champion?.kind.rawValue ?? "?",
                                 file: file, calibration: result.calibration, threshold: result.threshold,
                                 trainingWindow: result.trainingWindow.map(UTCTime.format), metrics: metrics))
            // The example request scores the newest bar of every member: its row and the lags before it.
            let newest = try store.latestFeatureRows(pair: pair, timeframe: definition.timeframe, count: definition.lagFeatures + 1)
            let dataset = PairDataset(pair: pair, rows: newest, definition: definition)
            if dataset.count > 0 {
                let width = dataset.featureNames.count, last = dataset.count - 1
                exampleRows.append([pair] + (0..<width).map { dataset.features[last * width + $0] })
            }
        }
        let columns = definition.featureNames
        let createdAt = UTCTime.format(Int64(now.timeIntervalSince1970 * 1000))
        let example: [String: Any] = ["dataframe_split": ["columns": ["pair"] + columns, "data": exampleRows]]
        let version = try models.addVersion(name) { directory, version in
            let manifest = RouterManifest(
                name: name, version: version, createdAt: createdAt, codeVersion: TrainStage.codeVersion, trainingRun: runId,
                featureColumns: columns,
                featureParameters: .init(timeframe: definition.timeframe.rawValue, betaWindow: featureParameters.betaWindow,
                                         zWindow: featureParameters.zWindow, lagFeatures: definition.lagFeatures,
                                         labelType: definition.labelType.rawValue, zscoreThreshold: definition.zscoreThreshold,
                                         horizon: definition.horizon),
                members: members)
            try FileManager.default.createDirectory(atPath: (directory as NSString).appendingPathComponent("members"), withIntermediateDirectories: true)
            for (file, bytes) in files {
                try Data(bytes).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent(file)))
            }
            try RouterManifest.encoder().encode(manifest).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("router.json")))
            try JSONSerialization.data(withJSONObject: example, options: [.prettyPrinted, .sortedKeys])
                .write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("input_example.json")))
            try MLmodelFile.render(manifest: manifest, uuid: UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""), createdAt: now)
                .write(toFile: (directory as NSString).appendingPathComponent("MLmodel"), atomically: false, encoding: .utf8)
        }
        if let alias { try models.setAlias(name, alias: alias, version: version) }
        return (version, models.versionDirectory(name, version))
    }
}
