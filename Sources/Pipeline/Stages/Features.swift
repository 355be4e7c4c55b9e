import Basics
import MarketData
import PairResearch

/// The pairs the feature stage computes, on which bars, with which windows.
public struct FeatureWork: Sendable, Encodable {
    public var parameters: FeatureParameters
    public var pairs: [String]
    public var timeframe: Timeframe
    /// The open times of the bars the features are computed on, when the timeline bounds them (a
    /// source whose data ends where it ends: the store may hold bars before the training window,
    /// which would reach back into the screen's); nil: every stored bar.
    public var barsFrom: Int64?
    public var barsTo: Int64?

    public init(
        parameters: FeatureParameters, pairs: [PairID], timeframe: Timeframe, bars window: ClosedRange<Int64>? = nil
    ) {
        self.parameters = parameters
        self.pairs = pairs.map(\.text)
        self.timeframe = timeframe
        self.barsFrom = window?.lowerBound
        self.barsTo = window?.upperBound
    }
}

extension FeatureStage: Stage {
    public struct Inputs: Encodable {
        var bars: [BarSpan]
    }

    public func name(_ settings: FeatureWork) -> String { "features" }

    public func inputs(_ settings: FeatureWork) throws -> Inputs {
        Inputs(bars: try BarSpan.all(store, settings.timeframe))
    }

    /// Present while every pair has feature rows.
    public func stored(_ settings: FeatureWork) throws -> Void? {
        let spans = try store.read { db in
            try settings.pairs.map { try FeatureStage.span(pair: $0, timeframe: settings.timeframe, in: db).rows }
        }
        return spans.allSatisfy { $0 > 0 } ? () : nil
    }

    public func run(_ settings: FeatureWork, _ context: StageContext) throws -> (output: Void, summary: String) {
        let updates = try update(
            pairs: settings.pairs.compactMap(PairID.init), timeframe: settings.timeframe,
            parameters: settings.parameters, bars: (settings.barsFrom ?? .min)...(settings.barsTo ?? .max),
            progress: context.progress)
        return ((), "\(updates.count) pairs, \(updates.reduce(0) { $0 + $1.rowsWritten }) rows written")
    }
}
