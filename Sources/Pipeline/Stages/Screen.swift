import Basics
import MarketData
import PairResearch
import Store

/// The screen's output as the stages after it read it: the run and the pairs it kept.
public struct ScreenedUniverse: Sendable {
    public var runId: String
    public var pairs: [PairID]
}

extension ScreeningStage: Stage {
    public struct Inputs: Encodable {
        /// Every symbol's bars at the screen's timeframe.
        var bars: [BarSpan]
        /// The newest screening run: a screen run by hand in between makes this one run again, so
        /// that the newest, which the later stages read, is the pipeline's screen.
        var newestRun: String
    }

    public func name(_ settings: ScreeningParameters) -> String { "screen" }

    public func inputs(_ settings: ScreeningParameters) throws -> Inputs {
        Inputs(
            bars: try BarSpan.all(store, settings.timeframe),
            newestRun: try store.read { db in try ScreeningStage.latestState(db) })
    }

    public func stored(_ settings: ScreeningParameters) throws -> ScreenedUniverse? {
        try ScreenedPairs.latest(store: store).map { ScreenedUniverse(runId: $0.runId, pairs: $0.pairs) }
    }

    public func run(_ settings: ScreeningParameters, _ context: StageContext) throws -> (
        output: ScreenedUniverse, summary: String
    ) {
        let (run, _) = try run(settings, progress: context.progress)
        let removed = run.rejectionSummary
        let line =
            "\(run.symbols.count) symbols, \(run.pairsTested) pairs tested, \(run.pairs.count) kept"
            + (removed.isEmpty ? "" : " (removed: \(removed))")
        return (ScreenedUniverse(runId: run.runId, pairs: run.pairs.map { PairID(a: $0.a, b: $0.b) }), line)
    }
}
