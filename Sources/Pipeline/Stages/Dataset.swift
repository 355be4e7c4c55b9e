import Basics
import MarketData
import PairResearch

/// The dataset the pipeline labels: its definition, over the screen's pairs.
public struct DatasetWork: Sendable, Encodable {
    public var definition: DatasetDefinition
    public var pairs: [String]
    /// The screen the pairs come from (its window is part of the research timeline).
    public var screeningRun: String

    public init(definition: DatasetDefinition, pairs: [PairID], screeningRun: String) {
        self.definition = definition
        self.pairs = pairs.map(\.text)
        self.screeningRun = screeningRun
    }
}

extension DatasetStage: Stage {
    public struct Inputs: Encodable {
        /// The pairs' features: a screen that keeps fewer pairs changes no feature set, but the dataset.
        var features: String
    }

    public func name(_ settings: DatasetWork) -> String { "dataset" }

    public func inputs(_ settings: DatasetWork) throws -> Inputs {
        Inputs(
            features: try store.read { db in
                try FeatureStage.state(pairs: settings.pairs, timeframe: settings.definition.timeframe, in: db)
            })
    }

    public func stored(_ settings: DatasetWork) throws -> Void? {
        try store.read { db in try DatasetRecord.latestState(db) }.isEmpty ? nil : ()
    }

    public func run(_ settings: DatasetWork, _ context: StageContext) throws -> (output: Void, summary: String) {
        // Records are stamped with the wall clock (the build's default), not the data's clock, so
        // that the newest stays the most recent with the clock pinned.
        let built = try build(
            settings.definition, pairs: settings.pairs.compactMap(PairID.init), screeningRun: settings.screeningRun)
        return ((), "\(built.pairs) pairs, \(built.rows) rows, \(built.labelledRows) labelled")
    }
}
