import Basics
import Foundation
import GRDB
import MarketData
import Store

/// The pairs a later stage works on: `latest` (the newest screening run's selection) or a JSON file
/// (a list of pairs, or an object with `"pairs"`), each with at least `a` and `b` (or a `pair` id).
/// (Which of them are deployed is the selection's business: `SelectStage`.)
public enum ScreenedPairs {
    /// The screening run a pair list comes from: `latest` names one; a file names none, so the
    /// screen's window (and whether it overlaps the scored period) is unknown.
    public static func screeningRun(_ argument: String, store: DataStore) throws -> String? {
        guard argument == "latest" else { return nil }
        return try store.read { db in try newestRunId(db) }
    }

    static func newestRunId(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT id FROM screening_runs ORDER BY created_at DESC, id LIMIT 1")
    }

    /// The newest screening run and the pairs it kept, in the screen's order, as the store holds
    /// them (the run's JSON file is an export); nil when nothing was screened yet.
    public static func latest(store: DataStore) throws -> (runId: String, pairs: [PairID])? {
        try store.read { db in
            guard let runId = try newestRunId(db) else { return nil }
            // Rows went in in the screen's order, the kept pairs first.
            let pairs = try Row.fetchAll(
                db, sql: "SELECT a, b FROM screened_pairs WHERE run_id = ? AND selected = 1 ORDER BY rowid",
                arguments: [runId]
            ).map { PairID(a: $0["a"], b: $0["b"]) }
            return (runId, pairs)
        }
    }

    /// `latest` (from the store) or a JSON file of pairs.
    public static func resolve(_ argument: String, store: DataStore) throws -> [PairID] {
        guard argument == "latest" else { return try load(argument) }
        guard let latest = try latest(store: store) else {
            throw MarketDataError.invalidArgument(
                "no screening run in the store; run `mntrading screen` first or pass --pairs FILE")
        }
        return latest.pairs
    }

    public static func load(_ path: String) throws -> [PairID] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw MarketDataError.invalidArgument("cannot read pairs file '\(path)': \(error.localizedDescription)")
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) else {
            throw MarketDataError.invalidData("\(path): not JSON")
        }
        let list: [Any]
        if let object = json as? [String: Any], let pairs = object["pairs"] as? [Any] {
            list = pairs
        } else if let array = json as? [Any] {
            list = array
        } else {
            throw MarketDataError.invalidData("\(path): expected a list of pairs or an object with \"pairs\"")
        }
        return try list.enumerated().map { index, item in
            guard let entry = item as? [String: Any] else {
                throw MarketDataError.invalidData("\(path): pair \(index) is not an object")
            }
            if let a = entry["a"] as? String, let b = entry["b"] as? String {
                return PairID(a: try Symbols.normalise(a), b: try Symbols.normalise(b))
            }
            if let text = entry["pair"] as? String, let id = PairID(text) {
                return PairID(a: try Symbols.normalise(id.a), b: try Symbols.normalise(id.b))
            }
            throw MarketDataError.invalidData("\(path): pair \(index) names neither a and b nor a pair id A__B")
        }
    }
}
