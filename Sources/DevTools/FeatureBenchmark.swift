import Foundation
import MarketData
import PairResearch
import Store
import Basics

/// Times the feature stage on the synthetic market: `pairs` pairs × `bars` 5m bars, computed on one
/// core, on all cores, and computed + stored in a fresh store. Used by scripts/bench/bench-research.sh.
public enum FeatureBenchmark {
    public struct Timing: Sendable {
        public var pairs: Int
        public var bars: Int
        public var rows: Int
        public var computeOneCore: Double
        public var computeAllCores: Double
        public var computeAndStore: Double
    }

    public static func run(
        pairs pairCount: Int, bars: Int, parameters: FeatureParameters = FeatureParameters(),
        scratchDirectory: String
    ) throws -> Timing {
        let market = SyntheticMarket(seed: 42)
        let start = SyntheticMarket.origin
        let series = try market.series(
            symbols: market.symbols, timeframe: .m5, from: start, to: start + Int64(bars) * 300_000)
        var pairs: [(PairID, PairBars)] = []
        outer: for i in series.indices {
            for j in series.indices where j != i {
                if pairs.count == pairCount { break outer }
                pairs.append(
                    (PairID(a: series[i].symbol, b: series[j].symbol), PairBars(a: series[i].bars, b: series[j].bars)))
            }
        }
        let engine = FeatureEngine(parameters: parameters)
        func seconds(_ body: () throws -> Void) rethrows -> Double {
            let begin = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9
        }
        var rows = 0
        let oneCore = seconds { rows = pairs.reduce(0) { $0 + engine.rows($1.1).count } }
        let allCores = seconds { _ = parallelMap(pairs.map(\.1)) { engine.rows($0).count } }

        try? FileManager.default.removeItem(atPath: scratchDirectory)
        let store = try DataStore(dataDirectory: scratchDirectory, schemas: [.marketData, .pairResearch])
        try store.upsert(series)
        let stored = try seconds {
            _ = try FeatureStage(store: store).update(pairs: pairs.map(\.0), timeframe: .m5, parameters: parameters)
        }
        return Timing(
            pairs: pairs.count, bars: bars, rows: rows, computeOneCore: oneCore, computeAllCores: allCores,
            computeAndStore: stored)
    }
}
