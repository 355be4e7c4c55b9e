import Basics
import MarketData
import TrainingRecords

/// What an ingest stage of the pipeline fetches: the symbols' bars from `since` to the newest
/// closed bar at `until`.
public struct BarIngest: Sendable, Encodable {
    public var source: BarSourceSettings
    public var request: IngestRequest
    /// Where the synthetic market's ground truth is written beside its bars.
    public var locations: Locations

    public init(source: BarSourceSettings, request: IngestRequest, locations: Locations) {
        self.source = source
        self.request = request
        self.locations = locations
    }

    private enum CodingKeys: String, CodingKey { case source, symbols, timeframe, sinceDay, newestBar }

    /// The source by its identity, the start by its day and the end by its newest closed bar: a
    /// rerun later in the same bar changes nothing.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source.identity, forKey: .source)
        try container.encode(request.symbols, forKey: .symbols)
        try container.encode(request.timeframe.rawValue, forKey: .timeframe)
        try container.encode(request.since / Timeframe.d1.milliseconds, forKey: .sinceDay)
        try container.encode(request.timeframe.floor(request.until), forKey: .newestBar)
    }
}

extension Ingestor: Stage {
    public func name(_ settings: BarIngest) -> String { "ingest \(settings.request.timeframe)" }

    public func inputs(_ settings: BarIngest) throws -> NoInputs { NoInputs() }

    /// Present while the store holds bars of every symbol asked for.
    public func stored(_ settings: BarIngest) throws -> Void? {
        let held = Set(try store.summaries(timeframe: settings.request.timeframe).map(\.symbol))
        return settings.request.symbols.allSatisfy(held.contains) ? () : nil
    }

    public func run(_ settings: BarIngest, _ context: StageContext) throws -> (output: Void, summary: String) {
        guard let source = try settings.source.ingestSource() else {
            throw SettingError("source", "must be one with bars for the pipeline: synthetic or binance")
        }
        if let market = settings.source.market { try settings.locations.writeGroundTruth(of: market) }
        let summary = try run(source, settings.request, now: settings.request.until, progress: context.progress)
        return ((), summary.line)
    }
}
