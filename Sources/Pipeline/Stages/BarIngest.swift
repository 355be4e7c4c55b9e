import Basics
import MarketData
import TrainingRecords

/// What an ingest stage of the pipeline fetches: the symbols' bars from `since` to the newest
/// closed bar at `until`, in one timeframe or (a directory of files) several.
public struct BarIngest: Sendable, Encodable {
    public var source: BarSourceSettings
    public var requests: [IngestRequest]
    /// Where the synthetic market's ground truth is written beside its bars.
    public var locations: Locations

    public init(source: BarSourceSettings, requests: [IngestRequest], locations: Locations) {
        precondition(!requests.isEmpty, "an ingest stage fetches something")
        self.source = source
        self.requests = requests
        self.locations = locations
    }

    public init(source: BarSourceSettings, request: IngestRequest, locations: Locations) {
        self.init(source: source, requests: [request], locations: locations)
    }

    private enum CodingKeys: String, CodingKey { case source, symbols, timeframe, sinceDay, newestBar }

    /// The source by its identity, the start by its day and the end by its newest closed bar: a
    /// rerun later in the same bar changes nothing.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let first = requests[0]
        try container.encode(try source.identity(), forKey: .source)
        try container.encode(first.symbols, forKey: .symbols)
        try container.encode(requests.map(\.timeframe.rawValue).joined(separator: "+"), forKey: .timeframe)
        try container.encode(first.since / Timeframe.d1.milliseconds, forKey: .sinceDay)
        try container.encode(first.timeframe.floor(first.until), forKey: .newestBar)
    }
}

extension Ingestor: Stage {
    public func name(_ settings: BarIngest) -> String {
        let timeframes = settings.requests.map(\.timeframe.rawValue).joined(separator: "+")
        return settings.source.source.isLive ? "ingest \(timeframes)" : "ingest \(settings.source.source) \(timeframes)"
    }

    public func inputs(_ settings: BarIngest) throws -> NoInputs { NoInputs() }

    /// Present while the store holds bars of every symbol asked for.
    public func stored(_ settings: BarIngest) throws -> Void? {
        for request in settings.requests {
            let held = Set(try store.summaries(timeframe: request.timeframe).map(\.symbol))
            guard request.symbols.allSatisfy(held.contains) else { return nil }
        }
        return ()
    }

    public func run(_ settings: BarIngest, _ context: StageContext) throws -> (output: Void, summary: String) {
        guard let source = try settings.source.ingestSource() else {
            throw SettingError("source", "must be one with bars for the pipeline: synthetic, binance or files")
        }
        if let market = settings.source.market { try settings.locations.writeGroundTruth(of: market) }
        let summaries = try run(
            source, settings.requests, now: settings.requests[0].until, progress: context.progress)
        return ((), summaries.map(\.line).joined(separator: "; "))
    }
}
