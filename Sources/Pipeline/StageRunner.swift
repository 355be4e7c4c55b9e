import Basics
import Foundation
import MarketData
import Store
import TrainingRecords

/// Runs the pipeline's stages in order: each is skipped when its fingerprint is unchanged and its
/// output is still in the store, else run and recorded. A stage that failed or was interrupted
/// records nothing, so the next run resumes there.
final class StageRunner {
    private let store: DataStore
    private let force: Bool
    private let context: StageContext
    private let report: (String) -> Void
    private let count: Int
    private var position = 0

    init(store: DataStore, force: Bool, context: StageContext, count: Int, report: @escaping (String) -> Void) {
        self.store = store
        self.force = force
        self.context = context
        self.count = count
        self.report = report
    }

    /// The typed fingerprint: a stage's settings and the state of its inputs, in one canonical
    /// JSON text (sorted keys), hashed.
    private struct Fingerprint<Settings: Encodable, Inputs: Encodable>: Encodable {
        var settings: Settings
        var inputs: Inputs

        var digest: String {
            get throws {
                var hash = FNV1a()
                hash.add(try ProjectJSON.string(self))
                return hash.hex
            }
        }
    }

    /// The stage's output, made now or as the store kept it.
    ///
    /// The fingerprint is taken before the stage (to decide) and again after it (to record): a
    /// stage whose inputs include the newest of its own output kind (the screen) records the state
    /// it left, so the next run finds it unchanged.
    func step<S: Stage>(_ stage: S, _ settings: S.Settings) throws -> S.Output {
        let name = stage.name(settings)
        position += 1
        let prefix = "[\(position)/\(count)] \(name): "
        let fingerprint = try Fingerprint(settings: settings, inputs: try stage.inputs(settings)).digest
        let recorded = try store.read { db in try PipelineStageRecords.fingerprint(db, stage: name) }
        if !force && recorded == fingerprint, let output = try stage.stored(settings) {
            report(prefix + "skipped, inputs unchanged")
            return output
        }
        if context.shouldStop() {
            throw TrainingError.interrupted("interrupted before \(name); run the pipeline again to resume there")
        }
        let started = Date()
        let (output, line) = try stage.run(settings, context)
        let finished = try Fingerprint(settings: settings, inputs: try stage.inputs(settings)).digest
        try store.write { db in
            try PipelineStageRecords.record(
                db, stage: name, fingerprint: finished, finishedAt: UTCTime.nowMilliseconds(), summary: line)
        }
        let seconds = Date().timeIntervalSince(started)
        report(prefix + line + String(format: " (%.1f s)", seconds))
        return output
    }

    /// The line a stage recorded when it last completed.
    func recordedLine(_ name: String) throws -> String? {
        try store.read { db in try PipelineStageRecords.summary(db, stage: name) }
    }
}
