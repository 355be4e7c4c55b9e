import Backtest
import Basics
import Foundation
import ModelFormat
import Training

/// What each batch step logs. One MLflow run per training run: its settings as params, and its
/// figures as pair-prefixed metrics (`<pair>/oof_sharpe`), because the MLflow UI groups charts by
/// the prefix before `/` (one section per pair) and compares runs metric by metric, which nested
/// runs (one child per pair) would split over twenty rows. The selection and the router versions
/// built from a training run are added to that same run.
public enum TrackedEntries {
    public static func training(_ report: TrainingReport, reportPath: String, experiment: String, stage: String) throws
        -> (TrackedEntry, [(path: String, bytes: [UInt8])])
    {
        var entry = TrackedEntry(
            key: "train:\(report.runId)", experiment: experiment, trainingRun: report.runId,
            runName: "train \(report.createdAt)")
        entry.params = flatten(try json(report.dataset), prefix: "dataset")
            .merging(flatten(try json(report.settings), prefix: "training")) { first, _ in first }
        entry.params["execution"] = report.execution
        entry.tags = [
            "mntrading.training_run": report.runId, "mntrading.data_fingerprint": report.datasetId,
            "mntrading.stage": stage, "mntrading.code_version": report.codeVersion
        ]
        entry.metrics["trials"] = Double(report.trials)
        entry.metrics["independent_trials"] = Double(report.independentTrials)
        entry.metrics["pbo"] = report.pbo?.pbo
        entry.metrics["pairs_trained"] = Double(report.pairs.filter { $0.status == "trained" }.count)
        add(report.portfolio, prefix: "portfolio/oof", to: &entry.metrics)
        add(report.portfolioHoldout, prefix: "portfolio/holdout", to: &entry.metrics)
        for pair in report.pairs where pair.status == "trained" {
            let prefix = pair.pair
            entry.metrics["\(prefix)/oof_auc"] = pair.oofRocAuc
            entry.metrics["\(prefix)/oof_pr_auc"] = pair.oofPrAuc
            entry.metrics["\(prefix)/oof_brier"] = pair.oofBrier
            entry.metrics["\(prefix)/dsr"] = pair.deflatedSharpe
            entry.metrics["\(prefix)/holdout_auc"] = pair.holdoutRocAuc
            add(pair.backtest, prefix: "\(prefix)/oof", to: &entry.metrics)
            add(pair.holdout, prefix: "\(prefix)/holdout", to: &entry.metrics)
        }
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: reportPath)))
        return (entry, [("training/report.json", bytes)])
    }

    public static func selection(_ result: SelectionResult, path: String, experiment: String) throws -> (
        TrackedEntry, [(path: String, bytes: [UInt8])]
    ) {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var digest = FNV1a()
        digest.add(String(decoding: bytes, as: UTF8.self))
        var entry = TrackedEntry(
            key: "select:\(result.runId):\(digest.hex)", experiment: experiment, trainingRun: result.runId,
            runName: "train \(result.runId)")
        entry.params = flatten(try json(result.rules), prefix: "selection")
        entry.params["selection.guardrails"] = String(result.guardrails)
        entry.params["selection.selected"] = result.selected.joined(separator: ",")
        entry.metrics["selection/pairs_selected"] = Double(result.selected.count)
        entry.metrics["selection/portfolio_dsr"] = result.portfolioDeflatedSharpe
        add(result.portfolio, prefix: "selection/portfolio_oof", to: &entry.metrics)
        add(result.portfolioHoldout, prefix: "selection/portfolio_holdout", to: &entry.metrics)
        entry.tags = ["mntrading.training_run": result.runId]
        return (entry, [("training/selection.json", bytes)])
    }

    /// A router version's files under `router/<name>/<version>/` of its training run; with
    /// `register`, a registered model version of `name` made from them and the alias moved to it.
    public static func router(directory: String, name: String, register: Bool, alias: String?, experiment: String)
        throws -> (TrackedEntry, [(path: String, bytes: [UInt8])])
    {
        let manifest = try RouterVersion(directory: directory).manifest
        let artifactPath = "router/\(name)/\(manifest.version)"
        var entry = TrackedEntry(
            key: "router:\(name):\(manifest.version)" + (register ? ":registered" : ""), experiment: experiment,
            trainingRun: manifest.trainingRun, runName: "train \(manifest.trainingRun)")
        entry.tags = ["mntrading.training_run": manifest.trainingRun, "mntrading.router": "\(name)/\(manifest.version)"]
        entry.metrics["router/members"] = Double(manifest.members.count)
        if register {
            entry.registration = .init(
                name: name, alias: alias, artifactPath: artifactPath, localVersion: manifest.version)
        }
        var files: [(path: String, bytes: [UInt8])] = []
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = (directory as NSString).appendingPathComponent(relative)
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            try ConfinedPath.check(full, inside: directory, what: relative)
            files.append((artifactPath + "/" + relative, try [UInt8](Data(contentsOf: URL(fileURLWithPath: full)))))
        }
        return (entry, files.sorted { $0.path < $1.path })
    }

    static func add(_ result: BacktestResult?, prefix: String, to metrics: inout [String: Double]) {
        guard let result else { return }
        metrics["\(prefix)_sharpe"] = result.sharpe
        metrics["\(prefix)_max_drawdown"] = result.maxDrawdown
        metrics["\(prefix)_return"] = result.cumulativeReturn
        metrics["\(prefix)_trades"] = Double(result.trades)
    }

    static func json<T: Encodable>(_ value: T) throws -> Any {
        try JSONSerialization.jsonObject(
            with: try ProjectJSON.encoder(pretty: false).encode(value), options: [.fragmentsAllowed])
    }

    /// Nested settings as dotted keys (`training.cross_validation.splits`), the way MLflow shows params.
    static func flatten(_ value: Any, prefix: String) -> [String: String] {
        switch value {
        case let object as [String: Any]:
            return object.reduce(into: [:]) { result, item in
                result.merge(flatten(item.value, prefix: "\(prefix).\(item.key)")) { first, _ in first }
            }
        case let array as [Any]:
            // A list of objects (the candidate grid) reads better whole than as numbered keys.
            let text =
                (try? JSONSerialization.data(withJSONObject: array, options: [.sortedKeys])).map {
                    String(decoding: $0, as: UTF8.self)
                } ?? "\(array)"
            return [prefix: text]
        case is NSNull:
            return [prefix: "none"]
        case let number as NSNumber:
            // JSONSerialization gives a Bool as an NSNumber of type "c".
            return [
                prefix: String(cString: number.objCType) == "c" ? (number.boolValue ? "true" : "false") : "\(number)"
            ]
        default:
            return [prefix: "\(value)"]
        }
    }
}
