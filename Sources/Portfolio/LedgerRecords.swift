import Backtest
import Basics
import Foundation
import GRDB
import MarketData
import Store

/// Typed access to the paper ledger's tables (`ledger_state`, `ledger_marks`, `ledger_fills`,
/// `ledger_trades`, `ledger_events`, `ledger_portfolio`). Every bar is written with the state it
/// leaves in the caller's transaction, so a cycle killed anywhere leaves the ledger at the last
/// whole bar, and a bar is booked once.
public enum LedgerRecords {
    public struct Mismatch: Error, CustomStringConvertible {
        public var description: String
    }

    /// The ledger's state, nil for a ledger that booked nothing yet.
    public static func state(_ db: Database) throws -> LedgerState? {
        guard let text = try String.fetchOne(db, sql: "SELECT state FROM ledger_state WHERE id = 1") else { return nil }
        do {
            return try ProjectJSON.decoder().decode(LedgerState.self, from: Data(text.utf8))
        } catch {
            throw Mismatch(
                description:
                    "the ledger's stored state cannot be read (\(error)); it was written by another version of mntrading"
            )
        }
    }

    /// The stored state, or a new one for `modelName`; refuses a ledger opened for another model
    /// or models directory, naming both.
    public static func open(_ db: Database, modelName: String, modelSource: String, capital: Double) throws
        -> LedgerState
    {
        guard let state = try state(db) else {
            return LedgerState(modelName: modelName, modelSource: modelSource, capital: capital)
        }
        guard state.modelName == modelName, state.modelSource == modelSource else {
            throw Mismatch(
                description: """
                    the ledger in \(db.description) was opened for model '\(state.modelName)' from '\(state.modelSource)'; \
                    this cycle serves '\(modelName)' from '\(modelSource)': use another data directory (or --ledger) for another model
                    """)
        }
        return state
    }

    /// Writes one booked bar and the state after it.
    public static func write(_ bar: LedgerBar, state: LedgerState, in db: Database) throws {
        for r in bar.returns {
            try db.execute(
                sql: "UPDATE ledger_marks SET ret = ? WHERE pair = ? AND open_time = ?",
                arguments: [r.ret, r.pair, r.openTime])
        }
        for m in bar.marks {
            try db.execute(
                sql: """
                    INSERT INTO ledger_marks (pair, open_time, model_version, position, decided, equity_before, equity, pnl, cost, status, z, proba, signal)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    m.pair, m.openTime, m.modelVersion, m.position, m.decided, m.equityBefore, m.equity, m.pnl, m.cost,
                    m.status,
                    m.z, m.proba, m.signal
                ])
        }
        for f in bar.fills {
            try db.execute(
                sql: """
                    INSERT INTO ledger_fills (pair, open_time, symbol, model_version, side, quantity, price, notional, cost, reason, decided_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    f.pair, f.openTime, f.symbol, f.modelVersion, f.side, f.quantity, f.price, f.notional, f.cost,
                    f.reason,
                    f.decidedAt
                ])
        }
        for t in bar.trades {
            try db.execute(
                sql: """
                    INSERT INTO ledger_trades (pair, entry_time, exit_time, model_version, side, ret) VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [t.pair, t.trade.entryTime, t.trade.exitTime, t.modelVersion, t.trade.side, t.trade.ret])
        }
        for e in bar.events {
            try db.execute(
                sql:
                    "INSERT INTO ledger_events (open_time, pair, from_status, to_status, reason) VALUES (?, ?, ?, ?, ?)",
                arguments: [e.openTime, e.pair, e.from, e.to, e.reason])
        }
        let p = bar.portfolio
        try db.execute(
            sql: """
                INSERT INTO ledger_portfolio (open_time, equity, peak, gross, net, positions, stopped) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [p.openTime, p.equity, p.peak, p.gross, p.net, p.positions, p.stopped])
        try save(state, in: db)
    }

    public static func save(_ state: LedgerState, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO ledger_state (id, model_name, model_source, newest_bar, state) VALUES (1, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET model_name = excluded.model_name, model_source = excluded.model_source,
                    newest_bar = excluded.newest_bar, state = excluded.state
                """, arguments: [state.modelName, state.modelSource, state.newestBar, try ProjectJSON.string(state)])
    }

    /// A person lets a stopped or degraded pair (nil: the portfolio and every pair) trade again: its
    /// peak restarts at its equity and its monitor from nothing. Returns the pairs re-enabled.
    public static func enable(pair: String?, at time: Int64, in db: Database) throws -> [String] {
        guard var state = try state(db) else { throw Mismatch(description: "the ledger has booked nothing yet") }
        if let pair, !state.pairs.contains(where: { $0.pair == pair && $0.status != .dropped }) {
            throw Mismatch(
                description:
                    "pair \(pair) is not traded in the ledger (its pairs: \(state.pairs.filter { $0.status != .dropped }.map(\.pair).joined(separator: ", ")))"
            )
        }
        if pair != nil && state.portfolioStopped {
            throw Mismatch(
                description:
                    "the portfolio is stopped (\(state.portfolioReason)): re-enable it with every pair (--all), not one pair"
            )
        }
        var enabled: [String] = []
        if pair == nil && state.portfolioStopped {
            try db.execute(
                sql:
                    "INSERT INTO ledger_events (open_time, pair, from_status, to_status, reason) VALUES (?, '', 'stopped', 'trading', ?)",
                arguments: [time, "re-enabled by hand"])
            state.portfolioStopped = false
            state.portfolioReason = ""
            state.peak = state.equity
            enabled.append("the portfolio")
        }
        for index in state.pairs.indices
        where (pair == nil || state.pairs[index].pair == pair)
            && (state.pairs[index].status == .stopped || state.pairs[index].status == .degraded)
        {
            try db.execute(
                sql:
                    "INSERT INTO ledger_events (open_time, pair, from_status, to_status, reason) VALUES (?, ?, ?, 'ok', ?)",
                arguments: [time, state.pairs[index].pair, state.pairs[index].status.rawValue, "re-enabled by hand"])
            state.pairs[index].status = .ok
            state.pairs[index].reason = "re-enabled by hand"
            state.pairs[index].peak = state.pairs[index].sleeve.equity
            state.pairs[index].monitor = PairMonitor(expectation: state.pairs[index].monitor.expectation)
            // A person overrules the last re-screen too, until the next one.
            state.pairs[index].screenFailure = nil
            enabled.append(state.pairs[index].pair)
        }
        try save(state, in: db)
        return enabled
    }

    /// Per-bar returns of a pair, completed bars only, in time order.
    public static func returns(pair: String, from: Int64 = .min, to: Int64 = .max, in db: Database) throws -> [(
        time: Int64, ret: Double
    )] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT open_time, ret FROM ledger_marks WHERE pair = ? AND ret IS NOT NULL AND open_time >= ? AND open_time <= ? ORDER BY open_time
                """, arguments: [pair, from, to]
        ).map { ($0[0], $0[1]) }
    }

    public static func trades(pair: String? = nil, in db: Database) throws -> [LedgerTrade] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT pair, entry_time, exit_time, model_version, side, ret FROM ledger_trades WHERE ? IS NULL OR pair = ? ORDER BY pair, entry_time
                """, arguments: [pair, pair]
        ).map {
            LedgerTrade(
                pair: $0[0], modelVersion: $0[3],
                trade: ClosedTrade(entryTime: $0[1], exitTime: $0[2], side: $0[4], ret: $0[5]))
        }
    }

    /// The newest fills first.
    public static func fills(limit: Int = 100, in db: Database) throws -> [LedgerFill] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT pair, open_time, symbol, model_version, side, quantity, price, notional, cost, reason, decided_at FROM ledger_fills
                ORDER BY open_time DESC, pair, symbol LIMIT ?
                """, arguments: [limit]
        ).map {
            LedgerFill(
                pair: $0[0], openTime: $0[1], symbol: $0[2], modelVersion: $0[3], side: $0[4], quantity: $0[5],
                price: $0[6],
                notional: $0[7], cost: $0[8], reason: $0[9], decidedAt: $0[10])
        }
    }

    /// Fills as CSV with a header (the dashboard's download and `mntrading ledger fills --csv`).
    public static func csv(_ fills: [LedgerFill]) -> String {
        var lines = ["time,pair,symbol,side,quantity,price,notional,cost,reason,model_version,decided_at"]
        for f in fills {
            lines.append(
                [
                    UTCTime.format(f.openTime), f.pair, f.symbol, f.side, "\(f.quantity)", "\(f.price)",
                    "\(f.notional)", "\(f.cost)",
                    "\"\(f.reason.replacingOccurrences(of: "\"", with: "\"\""))\"", "\(f.modelVersion)",
                    UTCTime.format(f.decidedAt)
                ]
                .joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func portfolio(in db: Database) throws -> [PortfolioMark] {
        try Row.fetchAll(
            db,
            sql:
                "SELECT open_time, equity, peak, gross, net, positions, stopped FROM ledger_portfolio ORDER BY open_time"
        ).map {
            PortfolioMark(
                openTime: $0[0], equity: $0[1], peak: $0[2], gross: $0[3], net: $0[4], positions: $0[5], stopped: $0[6])
        }
    }

    public static func events(limit: Int = 100, in db: Database) throws -> [LedgerEvent] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT open_time, pair, from_status, to_status, reason FROM ledger_events ORDER BY seq DESC LIMIT ?
                """, arguments: [limit]
        ).map { LedgerEvent(openTime: $0[0], pair: $0[1], from: $0[2], to: $0[3], reason: $0[4]) }
    }

    /// P&L (marks less costs) by pair and model version, in quote currency.
    public static func profitAndLoss(in db: Database) throws -> [(
        pair: String, modelVersion: Int, pnl: Double, costs: Double
    )] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT pair, model_version, SUM(pnl), SUM(cost) FROM ledger_marks GROUP BY pair, model_version ORDER BY pair, model_version
                """
        ).map { ($0[0], $0[1], $0[2], $0[3]) }
    }

    /// Every booked mark, optionally of one pair, with `from ≤ open_time ≤ to`, by pair and bar,
    /// with the bar's return once the next bar completed it.
    public static func marks(pair: String? = nil, from: Int64 = .min, to: Int64 = .max, in db: Database) throws -> [(
        mark: LedgerMark, ret: Double?
    )] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT pair, open_time, model_version, position, decided, equity_before, equity, pnl, cost, status, z, proba, signal, ret
                FROM ledger_marks WHERE (?1 IS NULL OR pair = ?1) AND open_time BETWEEN ?2 AND ?3 ORDER BY pair, open_time
                """, arguments: [pair, from, to]
        ).map {
            (
                LedgerMark(
                    pair: $0[0], openTime: $0[1], modelVersion: $0[2], position: $0[3], decided: $0[4],
                    equityBefore: $0[5], equity: $0[6], pnl: $0[7], cost: $0[8], status: $0[9], z: $0[10],
                    proba: $0[11], signal: $0[12]), $0[13]
            )
        }
    }

    /// Every fill, optionally of one pair, with `from ≤ open_time ≤ to`, oldest first.
    public static func fills(pair: String?, from: Int64 = .min, to: Int64 = .max, in db: Database) throws
        -> [LedgerFill]
    {
        try Row.fetchAll(
            db,
            sql: """
                SELECT pair, open_time, symbol, model_version, side, quantity, price, notional, cost, reason, decided_at FROM ledger_fills
                WHERE (?1 IS NULL OR pair = ?1) AND open_time BETWEEN ?2 AND ?3 ORDER BY open_time, pair, symbol
                """, arguments: [pair, from, to]
        ).map {
            LedgerFill(
                pair: $0[0], openTime: $0[1], symbol: $0[2], modelVersion: $0[3], side: $0[4], quantity: $0[5],
                price: $0[6], notional: $0[7], cost: $0[8], reason: $0[9], decidedAt: $0[10])
        }
    }
}
