import Foundation
import GRDB
import GRDBSQLite
import MarketData
import Basics
import Store

public struct FeatureUpdate: Sendable, Equatable {
    public var pair: String
    public var rowsWritten: Int
    public var rebuilt: Bool
    public var totalRows: Int
    /// Why the pair has no rows, if it has none.
    public var note: String?
}

/// `mntrading features`: per pair, joins the legs' bars, computes feature rows and stores them in
/// table `features`. An update appends only rows for bars newer than the last stored row; a change of
/// windows, or of the pair's first common bar, rebuilds the pair from scratch. Either way the rows
/// equal a full rebuild's bit for bit (see `FeatureEngine`).
public struct FeatureStage: Sendable {
    public let store: DataStore

    public init(store: DataStore) { self.store = store }

    public func update(
        pairs: [PairID], timeframe: Timeframe, parameters: FeatureParameters,
        rebuild: Bool = false, bars window: ClosedRange<Int64> = .min ... .max, progress: ProgressReporter = .silent
    ) throws -> [FeatureUpdate] {
        try parameters.validate()
        let parameterText = try ProjectJSON.string(parameters)
        progress.start("features for \(pairs.count) pairs", total: pairs.count)
        defer { progress.finish() }
        var updates: [FeatureUpdate] = []
        for pair in pairs {
            let bars = PairBars(
                a: try store.bars(symbol: pair.a, timeframe: timeframe, from: window.lowerBound, to: window.upperBound),
                b: try store.bars(symbol: pair.b, timeframe: timeframe, from: window.lowerBound, to: window.upperBound))
            let update = try store.write { db -> FeatureUpdate in
                let existing = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT parameters, first_open_time, last_open_time FROM feature_sets WHERE pair = ? AND timeframe = ?
                        """, arguments: [pair.text, timeframe.rawValue])
                guard let firstTime = bars.openTimes.first else {
                    try Self.delete(pair: pair.text, timeframe: timeframe, in: db)
                    return FeatureUpdate(
                        pair: pair.text, rowsWritten: 0, rebuilt: true, totalRows: 0,
                        note: "no common \(timeframe) bars for \(pair.a) and \(pair.b)")
                }
                let reusable =
                    !rebuild
                    && existing.map { row in
                        (row["parameters"] as String) == parameterText && (row["first_open_time"] as Int64) == firstTime
                    } ?? false
                var startIndex = 0
                if reusable, let last: Int64 = existing?["last_open_time"] {
                    startIndex = Self.firstIndex(after: last, in: bars.openTimes)
                } else {
                    try Self.delete(pair: pair.text, timeframe: timeframe, in: db)
                }
                let rows = FeatureEngine(parameters: parameters).rows(bars, from: startIndex)
                try Self.insert(rows, pair: pair.text, timeframe: timeframe, in: db)
                let total =
                    try Int.fetchOne(
                        db, sql: "SELECT COUNT(*) FROM features WHERE pair = ? AND timeframe = ?",
                        arguments: [pair.text, timeframe.rawValue]) ?? 0
                let lastTime = try Int64.fetchOne(
                    db, sql: "SELECT MAX(open_time) FROM features WHERE pair = ? AND timeframe = ?",
                    arguments: [pair.text, timeframe.rawValue])
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO feature_sets (pair, timeframe, a, b, parameters, first_open_time, last_open_time, rows)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        pair.text, timeframe.rawValue, pair.a, pair.b, parameterText, firstTime, lastTime, total
                    ])
                let note =
                    total == 0
                    ? "\(bars.count) common bars, fewer than the \(parameters.warmUp + 1) the windows need" : nil
                return FeatureUpdate(
                    pair: pair.text, rowsWritten: rows.count, rebuilt: !reusable, totalRows: total, note: note)
            }
            updates.append(update)
            progress.advance(by: 1)
        }
        return updates
    }

    /// How many feature rows a pair has and the first and last bar's open time.
    public static func span(pair: String, timeframe: Timeframe, in db: Database) throws -> (
        rows: Int, first: Int64?, last: Int64?
    ) {
        let row = try Row.fetchOne(
            db, sql: "SELECT COUNT(*), MIN(open_time), MAX(open_time) FROM features WHERE pair = ? AND timeframe = ?",
            arguments: [pair, timeframe.rawValue])
        return (row?[0] ?? 0, row?[1], row?[2])
    }

    /// Each pair's feature set (windows, newest bar, rows) as text, for the pipeline's fingerprints.
    public static func state(pairs: [String], timeframe: Timeframe, in db: Database) throws -> String {
        try pairs.map { pair in
            try Row.fetchOne(
                db,
                sql: "SELECT pair, parameters, last_open_time, rows FROM feature_sets WHERE pair = ? AND timeframe = ?",
                arguments: [pair, timeframe.rawValue]
            ).map { "\($0)" } ?? "\(pair): none"
        }.joined(separator: "\n")
    }

    /// The windows each pair's stored features were computed with (pairs without features left out).
    public static func storedParameters(pairs: [String], timeframe: Timeframe, in db: Database) throws -> [String:
        FeatureParameters]
    {
        var parameters: [String: FeatureParameters] = [:]
        for pair in pairs {
            guard
                let text = try String.fetchOne(
                    db, sql: "SELECT parameters FROM feature_sets WHERE pair = ? AND timeframe = ?",
                    arguments: [pair, timeframe.rawValue])
            else { continue }
            parameters[pair] = try ProjectJSON.decoder().decode(FeatureParameters.self, from: Data(text.utf8))
        }
        return parameters
    }

    static func firstIndex(after time: Int64, in openTimes: [Int64]) -> Int {
        var low = 0, high = openTimes.count
        while low < high {
            let middle = (low + high) / 2
            if openTimes[middle] <= time { low = middle + 1 } else { high = middle }
        }
        return low
    }

    static func delete(pair: String, timeframe: Timeframe, in db: Database) throws {
        try db.execute(
            sql: "DELETE FROM features WHERE pair = ? AND timeframe = ?", arguments: [pair, timeframe.rawValue])
        try db.execute(
            sql: "DELETE FROM feature_sets WHERE pair = ? AND timeframe = ?", arguments: [pair, timeframe.rawValue])
    }

    /// Raw binds, as the bar upsert: feature tables run to millions of rows.
    static func insert(_ rows: [FeatureRow], pair: String, timeframe: Timeframe, in db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO features (pair, timeframe, open_time, close_a, close_b, beta, alpha, spread, z,
                    z_velocity, z_acceleration, spread_volatility, half_life, volume_ratio_a, volume_ratio_b, beta_long, z_long)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
                """)
        let raw = statement.sqliteStatement
        // SQLITE_TRANSIENT: SQLite copies the text at bind time.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        defer {
            sqlite3_reset(raw)
            sqlite3_clear_bindings(raw)
        }
        sqlite3_reset(raw)
        sqlite3_bind_text(raw, 1, pair, -1, transient)
        sqlite3_bind_text(raw, 2, timeframe.rawValue, -1, transient)
        for row in rows {
            sqlite3_reset(raw)
            sqlite3_bind_int64(raw, 3, row.openTime)
            let values = [
                row.closeA, row.closeB, row.beta, row.alpha, row.spread, row.z, row.zVelocity, row.zAcceleration,
                row.spreadVolatility, row.halfLife, row.volumeRatioA, row.volumeRatioB, row.betaLong, row.zLong
            ]
            for (offset, value) in values.enumerated() {
                guard value.isFinite else {
                    throw MarketDataError.invalidData(
                        "\(pair) feature \(offset) at \(UTCTime.format(row.openTime)) is not finite")
                }
                sqlite3_bind_double(raw, Int32(4 + offset), value)
            }
            _ = try DataStore.step(raw, in: db)
        }
    }
}

extension DataStore {
    /// Stored feature rows of a pair, oldest first.
    public func featureRows(pair: String, timeframe: Timeframe, from: Int64 = .min, to: Int64 = .max) throws
        -> [FeatureRow]
    {
        try featureRows(
            sql: "open_time BETWEEN ? AND ? ORDER BY open_time", arguments: [pair, timeframe.rawValue, from, to])
    }

    /// The newest `count` rows of a pair, oldest first: what scoring the latest bars needs.
    public func latestFeatureRows(pair: String, timeframe: Timeframe, count: Int) throws -> [FeatureRow] {
        try featureRows(sql: "1 ORDER BY open_time DESC LIMIT ?", arguments: [pair, timeframe.rawValue, count])
            .reversed()
    }

    /// Reads columns straight off the statement, as `fetchBars` does: decoding GRDB rows costs more
    /// than SQLite's own work on a pair's hundreds of thousands of rows (every column is NOT NULL).
    private func featureRows(sql condition: String, arguments: StatementArguments) throws -> [FeatureRow] {
        try read { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT open_time, close_a, close_b, beta, alpha, spread, z, z_velocity, z_acceleration, spread_volatility,
                        half_life, volume_ratio_a, volume_ratio_b, beta_long, z_long
                    FROM features WHERE pair = ? AND timeframe = ? AND \(condition)
                    """)
            try statement.setArguments(arguments)
            let raw = statement.sqliteStatement
            defer { sqlite3_reset(raw) }
            var rows: [FeatureRow] = []
            while try DataStore.step(raw, in: db) {
                func value(_ column: Int32) -> Double { sqlite3_column_double(raw, column) }
                rows.append(
                    FeatureRow(
                        openTime: sqlite3_column_int64(raw, 0), closeA: value(1), closeB: value(2), beta: value(3),
                        alpha: value(4), spread: value(5), z: value(6), zVelocity: value(7), zAcceleration: value(8),
                        spreadVolatility: value(9), halfLife: value(10), volumeRatioA: value(11),
                        volumeRatioB: value(12), betaLong: value(13), zLong: value(14)))
            }
            return rows
        }
    }
}

extension DataStore {
    /// Every stored feature set (pair and timeframe), optionally of one timeframe, by pair.
    public func featureSets(timeframe: Timeframe? = nil) throws -> [(pair: String, timeframe: Timeframe)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT pair, timeframe FROM feature_sets WHERE ?1 IS NULL OR timeframe = ?1 ORDER BY pair, timeframe
                    """, arguments: [timeframe?.rawValue]
            ).compactMap { row in Timeframe(rawValue: row[1]).map { (row[0], $0) } }
        }
    }
}
