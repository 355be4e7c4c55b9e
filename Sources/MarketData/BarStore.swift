import Foundation
import GRDB
import GRDBSQLite
import Store

/// What one series' upsert changed.
public struct SeriesWriteResult: Sendable, Equatable {
    public var symbol: String
    public var timeframe: Timeframe
    public var inserted: Int
    public var updated: Int
    public var unchanged: Int
}

/// Span of stored bars for one symbol and timeframe.
public struct SeriesSummary: Sendable, Equatable {
    public var symbol: String
    public var timeframe: Timeframe
    public var count: Int
    public var firstOpenTime: Int64
    public var lastOpenTime: Int64
}

extension DataStore {
    /// Inserts or updates bars; a bar already stored with the same values is left alone, so a rerun
    /// changes nothing. All series are written in one transaction: either all land or none.
    @discardableResult
    public func upsert(_ series: [BarSeries]) throws -> [SeriesWriteResult] {
        try write { db in try series.map { try Self.upsert($0, in: db) } }
    }

    /// The bulk path binds doubles straight into one prepared statement: building GRDB argument
    /// arrays per row costs more than SQLite's insert itself.
    static func upsert(_ series: BarSeries, in db: Database) throws -> SeriesWriteResult {
        let before = try count(symbol: series.symbol, timeframe: series.timeframe, in: db)
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO bars (symbol, timeframe, open_time, open, high, low, close, volume, is_filled)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                ON CONFLICT (symbol, timeframe, open_time) DO UPDATE SET
                    open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,
                    volume = excluded.volume, is_filled = excluded.is_filled
                WHERE open IS NOT excluded.open OR high IS NOT excluded.high OR low IS NOT excluded.low
                   OR close IS NOT excluded.close OR volume IS NOT excluded.volume OR is_filled IS NOT excluded.is_filled
                """)
        let raw = statement.sqliteStatement
        // SQLITE_TRANSIENT: SQLite copies the text, so the C strings need not outlive the binding.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        var changed = 0
        defer {
            sqlite3_reset(raw)
            sqlite3_clear_bindings(raw)
        }
        // Bindings survive sqlite3_reset: bind the series' key once, then only the per-bar values.
        sqlite3_reset(raw)
        sqlite3_bind_text(raw, 1, series.symbol, -1, transient)
        sqlite3_bind_text(raw, 2, series.timeframe.rawValue, -1, transient)
        for bar in series.bars {
            if let defect = bar.defect {
                throw MarketDataError.invalidData(
                    "\(series.symbol) \(series.timeframe) bar at \(UTCTime.format(bar.openTime)): \(defect)")
            }
            sqlite3_reset(raw)
            sqlite3_bind_int64(raw, 3, bar.openTime)
            sqlite3_bind_double(raw, 4, bar.open)
            sqlite3_bind_double(raw, 5, bar.high)
            sqlite3_bind_double(raw, 6, bar.low)
            sqlite3_bind_double(raw, 7, bar.close)
            sqlite3_bind_double(raw, 8, bar.volume)
            sqlite3_bind_int(raw, 9, bar.isFilled ? 1 : 0)
            _ = try step(raw, in: db)
            changed += Int(sqlite3_changes(db.sqliteConnection))
        }
        let after = try count(symbol: series.symbol, timeframe: series.timeframe, in: db)
        let inserted = after - before
        return SeriesWriteResult(
            symbol: series.symbol, timeframe: series.timeframe, inserted: inserted,
            updated: changed - inserted, unchanged: series.bars.count - changed)
    }

    /// Steps a raw statement of the bulk paths: true while it yields rows, a GRDB error on failure.
    public static func step(_ statement: SQLiteStatement, in db: Database) throws -> Bool {
        let code = sqlite3_step(statement)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }

    static func count(symbol: String, timeframe: Timeframe, in db: Database) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM bars WHERE symbol = ? AND timeframe = ?",
            arguments: [symbol, timeframe.rawValue]) ?? 0
    }

    /// Bars with `from ≤ open_time ≤ to`, oldest first.
    public func bars(symbol: String, timeframe: Timeframe, from: Int64 = .min, to: Int64 = .max) throws -> [Bar] {
        try read { db in try Self.fetchBars(symbol: symbol, timeframe: timeframe, from: from, to: to, in: db) }
    }

    /// Reads columns straight off the statement: decoding GRDB rows costs more than SQLite's own
    /// work when a pair's history runs to hundreds of thousands of bars.
    static func fetchBars(symbol: String, timeframe: Timeframe, from: Int64, to: Int64, in db: Database) throws -> [Bar]
    {
        let statement = try db.cachedStatement(
            sql: """
                SELECT open_time, open, high, low, close, volume, is_filled FROM bars
                WHERE symbol = ?1 AND timeframe = ?2 AND open_time BETWEEN ?3 AND ?4 ORDER BY open_time
                """)
        let raw = statement.sqliteStatement
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        defer {
            sqlite3_reset(raw)
            sqlite3_clear_bindings(raw)
        }
        sqlite3_reset(raw)
        sqlite3_bind_text(raw, 1, symbol, -1, transient)
        sqlite3_bind_text(raw, 2, timeframe.rawValue, -1, transient)
        sqlite3_bind_int64(raw, 3, from)
        sqlite3_bind_int64(raw, 4, to)
        var bars: [Bar] = []
        while try step(raw, in: db) {
            bars.append(
                Bar(
                    openTime: sqlite3_column_int64(raw, 0), open: sqlite3_column_double(raw, 1),
                    high: sqlite3_column_double(raw, 2), low: sqlite3_column_double(raw, 3),
                    close: sqlite3_column_double(raw, 4), volume: sqlite3_column_double(raw, 5),
                    isFilled: sqlite3_column_int(raw, 6) != 0))
        }
        return bars
    }

    public func series(symbol: String, timeframe: Timeframe, from: Int64 = .min, to: Int64 = .max) throws -> BarSeries {
        BarSeries(
            symbol: symbol, timeframe: timeframe,
            bars: try bars(symbol: symbol, timeframe: timeframe, from: from, to: to))
    }

    /// One summary per stored (symbol, timeframe), optionally for one timeframe only.
    public func summaries(timeframe: Timeframe? = nil) throws -> [SeriesSummary] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT symbol, timeframe, COUNT(*), MIN(open_time), MAX(open_time) FROM bars
                    WHERE ?1 IS NULL OR timeframe = ?1 GROUP BY symbol, timeframe ORDER BY symbol, timeframe
                    """, arguments: [timeframe?.rawValue])
            return rows.compactMap { row in
                guard let timeframe = Timeframe(rawValue: row[1]) else { return nil }
                return SeriesSummary(
                    symbol: row[0], timeframe: timeframe, count: row[2], firstOpenTime: row[3], lastOpenTime: row[4])
            }
        }
    }

    /// Gaps of a stored series (the whole series unless a range is given).
    public func gapReport(symbol: String, timeframe: Timeframe, from: Int64 = .min, to: Int64 = .max) throws
        -> GapReport
    {
        try read { db in try Self.gapReport(symbol: symbol, timeframe: timeframe, from: from, to: to, in: db) }
    }

    /// Gaps found by SQLite itself, so only the gaps leave the database. A series whose count
    /// spans its first-to-last range exactly has none, which the primary key answers without a scan.
    static func gapReport(symbol: String, timeframe: Timeframe, from: Int64, to: Int64, in db: Database) throws
        -> GapReport
    {
        let step = timeframe.milliseconds
        let noGaps = GapReport(
            symbol: symbol, timeframe: timeframe.rawValue, gaps: 0, missingBars: 0, longestBars: 0, longestStart: nil)
        guard
            let span = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*), MIN(open_time), MAX(open_time) FROM bars
                    WHERE symbol = ? AND timeframe = ? AND open_time BETWEEN ? AND ?
                    """, arguments: [symbol, timeframe.rawValue, from, to]),
            let count: Int64 = span[0], count > 1, let first: Int64 = span[1], let last: Int64 = span[2],
            (last - first) / step + 1 != count
        else { return noGaps }
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT previous, open_time FROM (
                    SELECT open_time, LAG(open_time) OVER (ORDER BY open_time) AS previous FROM bars
                    WHERE symbol = ? AND timeframe = ? AND open_time BETWEEN ? AND ?
                ) WHERE open_time - previous > ?
                """, arguments: [symbol, timeframe.rawValue, from, to, step])
        return Gaps.report(symbol: symbol, timeframe: timeframe, neighbours: rows.map { ($0[0], $0[1]) })
    }
}
