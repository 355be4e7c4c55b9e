import Basics
import Foundation
import MarketData
import Store

/// The symbols a pipeline run screens and, for a source that is not live, where its data ends and
/// whether it reaches back far enough for the windows.
extension Pipeline {
    func universe() throws -> [String] {
        let source = settings.bars.source
        let held: [String]
        let place: String, many: String
        switch source {
        case .synthetic:
            guard let market = settings.bars.market else { return settings.symbols }
            if settings.symbols.isEmpty { return market.symbols }
            try market.validate(symbols: settings.symbols)
            return settings.symbols
        case .files, .archive:
            guard case let .files(directory)? = try settings.bars.ingestSource() else { return [] }
            try directory.require(settings.symbols)
            held = directory.symbols
            place = "candle file in \(directory.root)"
            many = "candle files in \(directory.root)"
        case .store:
            held = try store.summaries(timeframe: settings.dataset.timeframe).map(\.symbol)
            place = "\(settings.dataset.timeframe) bars in the store"
            many = place
        case .binance, .csv:
            guard settings.symbols.count >= 2 else {
                throw SettingError("symbols", "needs at least two symbols to screen with source \(source.rawValue)")
            }
            return settings.symbols
        }
        let universe = settings.symbols.isEmpty ? held : settings.symbols
        let known = Set(held)
        if let missing = universe.first(where: { !known.contains($0) }) {
            throw MarketDataError.invalidData(
                "\(missing) has no \(place) (symbols there: \(held.isEmpty ? "none" : held.joined(separator: ", ")))")
        }
        guard universe.count >= 2 else {
            throw MarketDataError.invalidData(
                "the pipeline screens pairs: it needs at least two symbols with \(many), found \(universe.count)")
        }
        return universe
    }

    /// The close of the newest bar every symbol has at the training timeframe.
    func sharedEnd(_ universe: [String]) throws -> Int64 {
        let timeframe = settings.dataset.timeframe
        let spans = Dictionary(
            uniqueKeysWithValues: try store.summaries(timeframe: timeframe).map { ($0.symbol, $0) })
        var end = Int64.max
        for symbol in universe {
            guard let span = spans[symbol] else {
                throw MarketDataError.invalidData("\(symbol) has no \(timeframe) bars in the store")
            }
            end = min(end, span.lastOpenTime + timeframe.milliseconds)
        }
        return end
    }

    /// The windows must lie inside the bars every symbol has, as they would for an exchange that
    /// has the history: the screen's 1h bars from its start, the training bars from theirs.
    func checkCoverage(_ universe: [String], _ timeline: Timeline) throws {
        let end = timeline.end
        let windows: [(Timeframe, Int64, String)] = [
            (.h1, timeline.screenStart, "screening_days"),
            (settings.dataset.timeframe, timeline.trainingStart, "training_days")
        ]
        for (timeframe, start, key) in windows {
            let firsts = Dictionary(
                uniqueKeysWithValues: try store.summaries(timeframe: timeframe).map { ($0.symbol, $0.firstOpenTime) })
            for symbol in universe {
                guard let first = firsts[symbol] else {
                    throw MarketDataError.invalidData("\(symbol) has no \(timeframe) bars in the store")
                }
                guard first <= start else {
                    let shared = (end - first) / 86_400_000
                    throw SettingError(
                        key,
                        "\(key == "screening_days" ? settings.screeningDays : settings.trainingDays) reaches back to \(UTCTime.format(start)) from the newest bar all symbols share (\(UTCTime.format(end))), but \(symbol)'s \(timeframe) bars begin at \(UTCTime.format(first)): screen and training days together can be at most \(shared) here (now \(settings.screeningDays) + \(settings.trainingDays)); lower --screen-days or --train-days, or add older candles"
                    )
                }
            }
        }
    }

    /// The store's symbols that have no 1h bars, to be derived from a shorter timeframe they have;
    /// nil when every one has them.
    func derivation(_ universe: [String]) throws -> BarDerivation? {
        let hourly = Set(try store.summaries(timeframe: .h1).map(\.symbol))
        let lacking = universe.filter { !hourly.contains($0) }
        guard !lacking.isEmpty else { return nil }
        let shorter = settings.dataset.timeframe
        guard CoarserBars.source(for: .h1, among: [shorter]) != nil else {
            throw MarketDataError.invalidData(
                "\(lacking.joined(separator: ", ")) \(lacking.count == 1 ? "has" : "have") no 1h bars in the store for the screen, and \(shorter) bars cannot make them; ingest 1h bars"
            )
        }
        return BarDerivation(symbols: lacking, target: .h1, source: shorter)
    }
}
