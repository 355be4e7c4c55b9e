import Basics
import Foundation
import MarketData
import ModelFormat
import PairResearch
import Portfolio
import Store
import TrainingRecords

/// What the pages and the API show, read from the data and models directories as the commands
/// left them. A missing artifact is nil ("nothing yet"), never an error: a fresh data directory is
/// a normal state.
public struct OpsReader: Sendable {
    public let locations: Locations
    public let store: DataStore
    public let modelName: String

    public init(locations: Locations, store: DataStore, modelName: String) {
        self.locations = locations
        self.store = store
        self.modelName = modelName
    }

    /// The newest file in `<data-dir>/<folder>` whose name starts with `prefix`, and its bytes.
    func newestFile(_ folder: String, prefix: String, suffix: String) -> (path: String, data: Data)? {
        let directory = locations.dataPath(folder)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
            $0.hasPrefix(prefix) && $0.hasSuffix(suffix)
        }
        // Names carry a UTC stamp (yyyyMMddTHHmmss…): the largest is the newest.
        guard let newest = names.max() else { return nil }
        let path = (directory as NSString).appendingPathComponent(newest)
        return FileManager.default.contents(atPath: path).map { (path, $0) }
    }

    func file(_ components: String...) -> Data? {
        FileManager.default.contents(atPath: locations.dataPath(components.joined(separator: "/")))
    }

    /// The newest screen: its file as written.
    public func screeningFile() -> Data? { newestFile("pairs", prefix: "screened_pairs_", suffix: ".json")?.data }

    public func screening() -> ScreeningRun? {
        screeningFile().flatMap { try? ProjectJSON.decoder().decode(ScreeningRun.self, from: $0) }
    }

    public func trainingReportFile() -> Data? { file("training", "report.json") }
    public func selectionFile() -> Data? { file("training", "selection.json") }
    public func ordersFile() -> Data? { file("portfolio", "latest_orders.json") }

    public func orders() -> OrderBook? { try? OrderFiles.latest(locations: locations) }

    /// The paper ledger; nil before its first bar.
    public func live() -> LiveView? { try? store.read { db in try LiveView.load(db) } }

    public func fills(limit: Int) -> [LedgerFill] {
        (try? store.read { db in try LedgerRecords.fills(limit: limit, in: db) }) ?? []
    }

    public func signals() -> (asOf: Int64, signals: [SignalRecord])? {
        (try? SignalRecords.latestServed(store: store, locations: locations)).flatMap {
            $0.map { ($0.asOf, $0.signals) }
        }
    }

    /// The newest report's directory (`latest_report` names it), confined to the portfolio folder.
    public func reportDirectory() -> String? {
        guard
            let name = file("portfolio", "latest_report").map({
                String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }),
            name.hasPrefix("report_"), !name.contains("/"), !name.contains("..")
        else { return nil }
        let directory = locations.dataPath("portfolio", name)
        return FileManager.default.fileExists(atPath: directory + "/report.html") ? directory : nil
    }

    public func reportHTML() -> Data? {
        reportDirectory().flatMap { FileManager.default.contents(atPath: $0 + "/report.html") }
    }
    public func reportSummary() -> Data? {
        reportDirectory().flatMap { FileManager.default.contents(atPath: $0 + "/summary.json") }
    }

    /// The latest complete training run's pairs, and the trials it took when its report says.
    public func training() -> (runId: String, pairs: [PairTrainingResult], trials: Int?)? {
        guard
            let (runId, pairs) = try? store.read({ db -> (String, [PairTrainingResult])? in
                guard let runId = try TrainingRunRecords.latestCompleteId(db) else { return nil }
                return (runId, try TrainingRunRecords.trainedPairs(db, runId: runId).map(\.result))
            })
        else { return nil }
        let report = trainingReportFile().flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        let trials = report.flatMap { $0["run_id"] as? String == runId ? $0["trials"] as? Int : nil }
        return (runId, pairs, trials)
    }

    /// The last `count` feature rows of a pair, in the first timeframe that has any.
    public func features(pair: String, count: Int = 600) -> [FeatureRow] {
        for timeframe in [Timeframe.m5, .h1] {
            if let rows = try? store.latestFeatureRows(pair: pair, timeframe: timeframe, count: count), !rows.isEmpty {
                return rows
            }
        }
        return []
    }

    public struct Models: Codable, Sendable {
        public var name: String
        public var versions: [Int]
        public var aliases: [String: Int]
        /// Per alias, the versions it pointed at before, oldest first: what a roll back returns to.
        public var history: [String: [Int]]
    }

    public func models(store models: ModelStore, name: String? = nil) -> Models {
        let name = name ?? modelName
        return Models(
            name: name, versions: models.versions(name), aliases: (try? models.aliases(name)) ?? [:],
            history: (try? models.aliasHistory(name)) ?? [:])
    }
}
