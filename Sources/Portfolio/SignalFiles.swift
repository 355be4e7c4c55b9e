import Foundation
import GRDB
import MarketData
import ModelFormat
import Basics
import Store

/// `<data-dir>/signals/signals_<day>.jsonl`. Each file is rewritten whole from the store (temp file +
/// rename) rather than appended to, so a crash can never leave half a line, and a rerun that adds
/// nothing leaves the file byte-identical.
public enum SignalFiles {
    /// The served model's /metadata answer from the newest cycle, for a later `mntrading report`.
    public static func latestMetadataPath(_ locations: Locations) -> String {
        locations.dataPath("signals", "latest_metadata.json")
    }

    /// The model the newest cycle was served (its /metadata, which every cycle writes before it
    /// books): what "latest" means to a hand-run aggregate or report and to the dashboard, so
    /// that a version the alias has moved away from is never taken for the current one.
    public static func servedModel(_ locations: Locations) -> ModelMetadata? {
        FileManager.default.contents(atPath: latestMetadataPath(locations)).flatMap { try? ModelMetadata.decode($0) }
    }

    public static func path(day: String, locations: Locations) -> String {
        locations.dataPath("signals", "signals_\(day).jsonl")
    }

    @discardableResult
    public static func rewrite(days: Set<String>, store: DataStore, locations: Locations) throws -> [String] {
        try days.sorted().map { day in
            let records = try SignalRecords.onDay(day, store: store)
            let path = path(day: day, locations: locations)
            let encoder = ProjectJSON.encoder(pretty: false)
            try AtomicFile.write(try records.map { try $0.jsonLine(encoder) + "\n" }.joined(), to: path)
            return path
        }
    }
}
