import Basics
import ModelFormat
import Training
import TrainingRecords

/// Which router the pipeline builds: its name in the model store and the alias it moves.
public struct RouterTarget: Sendable, Encodable {
    public var name: String
    public var alias: String

    public init(name: String, alias: String) {
        self.name = name
        self.alias = alias
    }
}

extension RouterBuilder: Stage {
    public struct Inputs: Encodable {
        var run: String
        var selections: String
    }

    public func name(_ settings: RouterTarget) -> String { "router" }

    public func inputs(_ settings: RouterTarget) throws -> Inputs {
        try store.read { db in
            Inputs(run: try TrainingRunRecords.latestCompleteState(db), selections: try SelectionRecords.state(db))
        }
    }

    /// The version the alias points at, while it was built from the newest complete run.
    public func stored(_ settings: RouterTarget) throws -> Int? {
        guard let version = try? models.aliases(settings.name)[settings.alias],
            let manifest = try? RouterVersion(directory: models.versionDirectory(settings.name, version)).manifest,
            let runId = try store.read({ db in try TrainingRunRecords.latestCompleteId(db) }),
            manifest.trainingRun == runId
        else { return nil }
        return version
    }

    public func run(_ settings: RouterTarget, _ context: StageContext) throws -> (output: Int, summary: String) {
        let (version, _, _) = try build(name: settings.name, alias: settings.alias)
        return (version, "\(settings.name) version \(version), alias \(settings.alias)")
    }
}
