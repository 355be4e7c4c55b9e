import Basics
import MarketData
import Store

/// Which symbols' bars of a longer timeframe are made from a shorter one already stored.
public struct BarDerivation: Sendable, Encodable {
    public var symbols: [String]
    public var target: Timeframe
    public var source: Timeframe
}

/// The store's shorter bars turned into the longer ones a stage needs (the screen's 1h from 5m),
/// exactly and only from complete buckets (`CoarserBars`).
public struct BarDerivationStage: Stage {
    public let store: DataStore

    public init(store: DataStore) { self.store = store }

    public struct Inputs: Encodable {
        var bars: [BarSpan]
    }

    public func name(_ settings: BarDerivation) -> String { "derive \(settings.target)" }

    public func inputs(_ settings: BarDerivation) throws -> Inputs {
        let wanted = Set(settings.symbols)
        return Inputs(bars: try BarSpan.all(store, settings.source).filter { wanted.contains($0.symbol) })
    }

    public func stored(_ settings: BarDerivation) throws -> Void? {
        let held = Set(try store.summaries(timeframe: settings.target).map(\.symbol))
        return settings.symbols.allSatisfy(held.contains) ? () : nil
    }

    public func run(_ settings: BarDerivation, _ context: StageContext) throws -> (output: Void, summary: String) {
        var series: [BarSeries] = []
        var partial = 0
        for symbol in settings.symbols {
            let derived = CoarserBars(
                try store.bars(symbol: symbol, timeframe: settings.source), from: settings.source,
                into: settings.target)
            partial += derived.partial
            series.append(BarSeries(symbol: symbol, timeframe: settings.target, bars: derived.bars))
        }
        let written = try store.upsert(series).reduce(0) { $0 + $1.inserted + $1.updated }
        return (
            (),
            "\(settings.symbols.count) symbols, \(written) \(settings.target) bars from \(settings.source), \(partial) partial \(settings.target) bar\(partial == 1 ? "" : "s") left out (some \(settings.source) bars missing)"
        )
    }
}
