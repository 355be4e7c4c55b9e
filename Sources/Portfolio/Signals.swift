import Foundation
import GRDB
import MarketData

/// One scored bar of one pair: the server's answer plus the feature values the orders need.
public struct SignalRecord: Codable, Sendable, Equatable {
    public var pair: String
    /// Open time of the scored (closed) bar, ms UTC.
    public var openTime: Int64
    public var modelName: String
    public var modelVersion: Int
    public var timeframe: String
    public var legA: String
    public var legB: String
    public var proba: Double
    /// +1 long the spread (buy A, sell β·B), −1 short it, 0 no trade.
    public var signal: Int
    public var threshold: Double
    public var z: Double
    public var beta: Double
    public var closeA: Double
    public var closeB: Double
    public var spreadVolatility: Double
    /// When the cycle that first scored this bar ran; a rerun keeps the first value.
    public var scoredAt: Int64

    public init(pair: String, openTime: Int64, modelName: String, modelVersion: Int, timeframe: String, legA: String, legB: String,
                proba: Double, signal: Int, threshold: Double, z: Double, beta: Double, closeA: Double, closeB: Double,
                spreadVolatility: Double, scoredAt: Int64) {
        self.pair = pair
        self.openTime = openTime
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.timeframe = timeframe
        self.legA = legA
        self.legB = legB
        self.proba = proba
        self.signal = signal
        self.threshold = threshold
        self.z = z
        self.beta = beta
        self.closeA = closeA
        self.closeB = closeB
        self.spreadVolatility = spreadVolatility
        self.scoredAt = scoredAt
    }

    static let columns = "pair, open_time, model_version, model_name, timeframe, leg_a, leg_b, proba, signal, threshold, z, beta, close_a, close_b, spread_volatility, scored_at"

    init(row: Row) {
        self.init(pair: row["pair"], openTime: row["open_time"], modelName: row["model_name"], modelVersion: row["model_version"],
                  timeframe: row["timeframe"], legA: row["leg_a"], legB: row["leg_b"], proba: row["proba"], signal: row["signal"],
                  threshold: row["threshold"], z: row["z"], beta: row["beta"], closeA: row["close_a"], closeB: row["close_b"],
                  spreadVolatility: row["spread_volatility"], scoredAt: row["scored_at"])
    }

    /// One JSON object per line in `signals_<date>.jsonl`; keys in a fixed order so files diff cleanly.
    func jsonLine(_ encoder: JSONEncoder) throws -> String {
        String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// The UTC day of the bar, `2024-06-01`: which JSONL file the signal belongs to.
    public var day: String { Self.day(of: openTime) }

    public static func day(of openTime: Int64) -> String { String(UTCTime.format(openTime).prefix(10)) }
}

extension MarketStore {
    /// Inserts the signals that are new (pair, bar, model version); returns how many were. Runs in
    /// the caller's transaction so the insert and whatever follows commit together.
    public static func insertSignals(_ records: [SignalRecord], in db: Database) throws -> Int {
        var inserted = 0
        for record in records {
            try db.execute(sql: """
                INSERT OR IGNORE INTO signals (\(SignalRecord.columns))
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [record.pair, record.openTime, record.modelVersion, record.modelName, record.timeframe, record.legA,
                                 record.legB, record.proba, record.signal, record.threshold, record.z, record.beta, record.closeA,
                                 record.closeB, record.spreadVolatility, record.scoredAt])
            inserted += db.changesCount
        }
        return inserted
    }

    /// Every stored signal whose bar falls on the UTC day `day` (`2024-06-01`), in a stable order.
    public func signals(onDay day: String) throws -> [SignalRecord] {
        guard let start = UTCTime.parse(day) else { throw MarketDataError.invalidArgument("'\(day)' is not a UTC date") }
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(SignalRecord.columns) FROM signals WHERE open_time >= ? AND open_time < ?
                ORDER BY open_time, pair, model_version
                """, arguments: [start, start + 86_400_000]).map(SignalRecord.init(row:))
        }
    }

    /// The newest scored bar of a model version (the newest version when nil), with the signals of
    /// every pair scored at that bar: the input of the aggregation. Pairs whose newest signal is
    /// older are returned as stale, so a pair whose data stopped never trades on an old bar.
    public func latestSignals(modelVersion: Int? = nil) throws -> (asOf: Int64, signals: [SignalRecord], stale: [String])? {
        try read { db in
            let version: Int? = try modelVersion ?? Int.fetchOne(db, sql: """
                SELECT model_version FROM signals ORDER BY scored_at DESC, open_time DESC, model_version DESC LIMIT 1
                """)
            guard let version,
                  let asOf = try Int64.fetchOne(db, sql: "SELECT MAX(open_time) FROM signals WHERE model_version = ?", arguments: [version])
            else { return nil }
            let current = try Row.fetchAll(db, sql: """
                SELECT \(SignalRecord.columns) FROM signals WHERE model_version = ? AND open_time = ? ORDER BY pair
                """, arguments: [version, asOf]).map(SignalRecord.init(row:))
            let fresh = Set(current.map(\.pair))
            let stale = try String.fetchAll(db, sql: "SELECT DISTINCT pair FROM signals WHERE model_version = ? ORDER BY pair",
                                            arguments: [version]).filter { !fresh.contains($0) }
            return (asOf, current, stale)
        }
    }
}

/// `<data-dir>/signals/signals_<day>.jsonl`. Each file is rewritten whole from the store (temp file +
/// rename) rather than appended to, so a crash can never leave half a line, and a rerun that adds
/// nothing leaves the file byte-identical.
public enum SignalFiles {
    /// The served model's /metadata answer from the newest cycle, for a later `mntrading report`.
    public static func latestMetadataPath(_ locations: Locations) -> String {
        locations.dataPath("signals", "latest_metadata.json")
    }

    public static func path(day: String, locations: Locations) -> String {
        locations.dataPath("signals", "signals_\(day).jsonl")
    }

    @discardableResult
    public static func rewrite(days: Set<String>, store: MarketStore, locations: Locations) throws -> [String] {
        try days.sorted().map { day in
            let records = try store.signals(onDay: day)
            let path = path(day: day, locations: locations)
            let encoder = SnakeCaseJSON.encoder(pretty: false)
            try AtomicFile.write(try records.map { try $0.jsonLine(encoder) + "\n" }.joined(), to: path)
            return path
        }
    }
}
