import Foundation
import MLflowClient
import Store
import TestSupport
import Testing
@testable import Tracking

@Suite struct TrackingTests {
    @Test func settingsFlattenToDottedParams() {
        let flat = TrackedEntries.flatten(
            ["a": ["b": 1, "c": true, "d": NSNull()], "e": [1, 2]] as [String: Any], prefix: "p")
        #expect(flat == ["p.a.b": "1", "p.a.c": "true", "p.a.d": "none", "p.e": "[1,2]"])
    }
}

@Suite(.serialized) struct TrackerSyncTests {
    static func entry(_ key: String, run: String = "run-1", metrics: Int = 3) -> TrackedEntry {
        var entry = TrackedEntry(key: key, experiment: "mntrading", trainingRun: run, runName: "train \(run)")
        for index in 0..<metrics { entry.metrics["P\(index)__Q/oof_sharpe"] = Double(index) }
        entry.params = ["training.cross_validation.splits": "5"]
        return entry
    }

    static func tracker() throws -> Tracker {
        Tracker(store: try DataStore(dataDirectory: try temporaryDirectory("tracking"), schemas: [.tracking]))
    }

    /// A store that lost its record of the MLflow run (a copy, a restore, a create answered 5xx
    /// after the server made the run) finds the run by its training-run tag instead of making another.
    @Test func aTrainingRunAlreadyOnTheServerIsFoundNotCreatedAgain() async throws {
        let fake = FakeMLflow(), first = try Self.tracker(), second = try Self.tracker()
        for tracker in [first, second] { try tracker.record(Self.entry("train:run-1", metrics: 3), files: []) }
        try await fake.withServer { url in
            try await onThread {
                let client = try MLflowClient(trackingURI: url)
                #expect(try first.sync(client).runsCreated == 1)
                let again = try second.sync(client)
                #expect(again.entriesLogged == 1 && again.runsCreated == 0)
            }
        }
        fake.with { #expect($0.runs.count == 1) }
    }

    @Test func aSecondSyncLogsNothingAndBatchesStayWithinLimits() async throws {
        let fake = FakeMLflow(), tracker = try Self.tracker()
        try tracker.record(
            Self.entry("train:run-1", metrics: 2500), files: [("training/report.json", Array("{}".utf8))])
        #expect(try tracker.record(Self.entry("train:run-1"), files: []) == false, "the same key twice is kept once")
        try await fake.withServer { url in
            try await onThread {
                let client = try MLflowClient(trackingURI: url)
                let first = try tracker.sync(client)
                #expect(first.entriesLogged == 1 && first.runsCreated == 1 && first.filesUploaded == 1)
                #expect(try tracker.sync(client) == Tracker.Outcome())
            }
        }
        fake.with { fake in
            #expect(fake.runs.count == 1)
            #expect(fake.metrics.values.first?.count == 2500)
            #expect(fake.batchSizes.allSatisfy { $0 <= 1000 } && fake.batchSizes.count == 3, "\(fake.batchSizes)")
            #expect(fake.artifacts.keys.first?.hasSuffix("/artifacts/training/report.json") == true)
        }
    }

    @Test func aServerThatIsDownKeepsTheEntryForALaterSync() async throws {
        let fake = FakeMLflow(), tracker = try Self.tracker()
        let line = try tracker.recordAndSync([(Self.entry("train:run-1"), [])], trackingURI: "http://127.0.0.1:9")
        #expect(line.hasPrefix("warning: not logged to MLflow") && !line.contains("\n"))
        #expect(try tracker.pending(trackingURI: "http://127.0.0.1:9").count == 1)
        try await fake.withServer { url in
            try await onThread {
                let client = try MLflowClient(trackingURI: url)
                #expect(try tracker.sync(client).entriesLogged == 1)
            }
        }
    }

    @Test func noModelVersionBeforeItsFilesAreUploaded() async throws {
        let fake = FakeMLflow(), tracker = try Self.tracker()
        var entry = Self.entry("router:m:1:registered")
        entry.registration = .init(name: "m", alias: "champion", artifactPath: "router/m/1", localVersion: 1)
        try tracker.record(entry, files: [("router/m/1/MLmodel", Array("flavors: {}".utf8))])
        fake.with { $0.failUploads = true }
        try await fake.withServer { url in
            try await onThread {
                let client = try MLflowClient(trackingURI: url)
                #expect(throws: MLflowError.self) { try tracker.sync(client) }
                #expect(fake.with { $0.versions.isEmpty && $0.aliases.isEmpty })
                fake.with { $0.failUploads = false }
                #expect(try tracker.sync(client).registered == ["m version 1 (@champion)"])
                // The run made before the failure is reused, not duplicated.
                #expect(fake.with { $0.runs.count } == 1)
            }
        }
        #expect(fake.with { $0.aliases["champion"] } == 1)
    }

    @Test func refusedCredentialsAreOneLineWithoutTheToken() async throws {
        let fake = FakeMLflow(), tracker = try Self.tracker()
        fake.with { $0.requireToken = "right" }
        try tracker.record(Self.entry("train:run-1"), files: [])
        try await fake.withServer { url in
            try await onThread {
                let client = try MLflowClient(
                    trackingURI: url,
                    credentials: MLflowCredentials(environment: ["MLFLOW_TRACKING_TOKEN": "s3cret-wrong"]))
                do {
                    _ = try tracker.sync(client)
                    Issue.record("a refused token synced")
                } catch {
                    #expect("\(error)".contains("refused the credentials") && !"\(error)".contains("s3cret"))
                }
                let good = try MLflowClient(
                    trackingURI: url, credentials: MLflowCredentials(environment: ["MLFLOW_TRACKING_TOKEN": "right"]))
                #expect(try tracker.sync(good).entriesLogged == 1)
            }
        }
    }
}
