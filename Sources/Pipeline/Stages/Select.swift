import Basics
import Training
import TrainingRecords

extension SelectStage: Stage {
    public struct Inputs: Encodable {
        /// The newest complete training run.
        var run: String
    }

    public func name(_ settings: SelectionRules) -> String { "select" }

    public func inputs(_ settings: SelectionRules) throws -> Inputs {
        Inputs(run: try store.read { db in try TrainingRunRecords.latestCompleteState(db) })
    }

    public func stored(_ settings: SelectionRules) throws -> SelectionResult? { try latestResult() }

    public func run(_ settings: SelectionRules, _ context: StageContext) throws -> (
        output: SelectionResult, summary: String
    ) {
        let (result, _) = try run(rules: settings)
        let line =
            "\(result.selected.count) of \(result.decisions.count) pairs selected"
            + (result.warning.map { " (\($0))" } ?? "")
        return (result, line)
    }
}
