import Basics
import Foundation
import MLflowClient
import Store

/// Offline-first logging to MLflow: an entry is recorded in the store first (in one transaction,
/// with its files), then sent; a server that is down or refuses leaves it recorded, and `sync`
/// sends whatever a server does not have yet, each entry once. A training run's MLflow run id is
/// kept as soon as the run exists, so a sync cut short reuses it instead of making a second run;
/// a model version is created only after its files are uploaded, and looked up before it is
/// created, so a retried registration never makes two.
public struct Tracker: Sendable {
    public let store: DataStore

    public init(store: DataStore) {
        self.store = store
    }

    /// What one sync did.
    public struct Outcome: Sendable, Equatable {
        public var entriesLogged = 0
        public var runsCreated = 0
        public var filesUploaded = 0
        /// `name` version `n` (alias), for each registration.
        public var registered: [String] = []
        /// MLflow run ids touched, for the messages.
        public var runIDs: [String] = []
    }

    @discardableResult
    public func record(_ entry: TrackedEntry, files: [(path: String, bytes: [UInt8])]) throws -> Bool {
        try store.write { db in try TrackingRecords.record(db, entry, files: files, now: Tracker.now()) }
    }

    public func pending(trackingURI: String) throws -> [TrackedEntry] {
        try store.read { db in try TrackingRecords.pending(db, trackingURI: trackingURI) }
    }

    /// Sends every entry `client`'s server lacks, oldest first; stops at the first failure (the rest
    /// stay pending, in order).
    public func sync(_ client: MLflowClient) throws -> Outcome {
        var outcome = Outcome()
        var experiments: [String: String] = [:]
        var checkedRuns = Set<String>()
        let uri = client.trackingURI
        for entry in try pending(trackingURI: uri) {
            let now = Tracker.now()
            let experimentID = try experiments[entry.experiment] ?? client.experimentID(named: entry.experiment)
            experiments[entry.experiment] = experimentID
            var run = try store.read { db in
                try TrackingRecords.mlflowRun(
                    db, trackingURI: uri, experiment: entry.experiment, trainingRun: entry.trainingRun)
            }
            if let known = run, !checkedRuns.contains(known.runID), try !client.runExists(known.runID) { run = nil }
            if run == nil, let found = try client.findRun(experimentID: experimentID, trainingRun: entry.trainingRun) {
                try store.write { db in
                    try TrackingRecords.recordMLflowRun(
                        db, trackingURI: uri, experiment: entry.experiment, trainingRun: entry.trainingRun,
                        runID: found.runID, artifactURI: found.artifactURI)
                }
                run = found
            }
            if run == nil {
                let created = try client.createRun(
                    experimentID: experimentID, name: entry.runName, startTime: now,
                    tags: ["mntrading.training_run": entry.trainingRun])
                try store.write { db in
                    try TrackingRecords.recordMLflowRun(
                        db, trackingURI: uri, experiment: entry.experiment, trainingRun: entry.trainingRun,
                        runID: created.runID, artifactURI: created.artifactURI)
                }
                run = created
                outcome.runsCreated += 1
            }
            guard let run else { continue }
            checkedRuns.insert(run.runID)
            try client.logBatch(
                runID: run.runID, metrics: entry.metrics, params: entry.params, tags: entry.tags, timestamp: now)
            let files = try store.read { db in try TrackingRecords.files(db, entry: entry.key) }
            for file in files {
                try client.uploadArtifact(artifactURI: run.artifactURI, path: file.path, bytes: file.bytes)
                outcome.filesUploaded += 1
            }
            if let registration = entry.registration {
                // Only now that every file is on the server does a version point at them.
                let source = run.artifactURI + "/" + registration.artifactPath
                try client.ensureRegisteredModel(registration.name)
                let version =
                    try client.modelVersions(name: registration.name, runID: run.runID).first { $0.source == source }
                    ?? client.createModelVersion(
                        name: registration.name, source: source, runID: run.runID,
                        tags: ["mntrading.local_version": String(registration.localVersion)])
                if let alias = registration.alias {
                    try client.setAlias(name: registration.name, alias: alias, version: version.version)
                }
                outcome.registered.append(
                    "\(registration.name) version \(version.version)" + (registration.alias.map { " (@\($0))" } ?? ""))
            }
            try client.finishRun(run.runID, endTime: Tracker.now())
            try store.write { db in
                try TrackingRecords.markSynced(db, entry: entry.key, trackingURI: uri, now: Tracker.now())
            }
            outcome.entriesLogged += 1
            if !outcome.runIDs.contains(run.runID) { outcome.runIDs.append(run.runID) }
        }
        return outcome
    }

    /// Records the entry, then syncs; never throws for the server's sake. Answers the line to print:
    /// what was logged, or one warning saying the entry is kept for `mntrading track sync`.
    public func recordAndSync(_ made: [(TrackedEntry, [(path: String, bytes: [UInt8])])], trackingURI: String) throws
        -> String
    {
        for (entry, files) in made { try record(entry, files: files) }
        do {
            let client = try MLflowClient(trackingURI: trackingURI)
            let outcome = try sync(client)
            return Self.summary(outcome, trackingURI: trackingURI)
        } catch let error as MLflowError {
            return
                "warning: not logged to MLflow (\(error)); kept locally, `mntrading track sync --tracking-uri \(trackingURI)` sends it"
        }
    }

    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    public static func summary(_ outcome: Outcome, trackingURI: String) -> String {
        guard outcome.entriesLogged > 0 else { return "mlflow: nothing to log, \(trackingURI) has every run" }
        return
            "mlflow: \(outcome.entriesLogged) entr\(outcome.entriesLogged == 1 ? "y" : "ies") logged to \(trackingURI) (run \(outcome.runIDs.joined(separator: ", ")), \(outcome.filesUploaded) files)"
            + (outcome.registered.isEmpty ? "" : "; registered \(outcome.registered.joined(separator: ", "))")
    }
}
