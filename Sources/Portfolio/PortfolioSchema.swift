import GRDB
import Store

extension StoreSchema {
    /// One row per scored bar and model version (a rerun of a cycle inserts nothing new), the orders,
    /// and the paper ledger.
    public static let portfolio = StoreSchema(
        owner: "Portfolio",
        migrations: [
            Migration("portfolio.v1") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE IF NOT EXISTS signals (
                            pair TEXT NOT NULL,
                            open_time INTEGER NOT NULL,
                            model_version INTEGER NOT NULL,
                            model_name TEXT NOT NULL,
                            timeframe TEXT NOT NULL,
                            leg_a TEXT NOT NULL,
                            leg_b TEXT NOT NULL,
                            proba REAL NOT NULL,
                            signal INTEGER NOT NULL,
                            threshold REAL NOT NULL,
                            z REAL NOT NULL,
                            beta REAL NOT NULL,
                            close_a REAL NOT NULL,
                            close_b REAL NOT NULL,
                            spread_volatility REAL NOT NULL,
                            scored_at INTEGER NOT NULL,
                            PRIMARY KEY (pair, open_time, model_version)
                        ) WITHOUT ROWID;
                        CREATE TABLE IF NOT EXISTS orders (
                            as_of INTEGER NOT NULL,
                            model_version INTEGER NOT NULL,
                            pair TEXT NOT NULL,
                            symbol TEXT NOT NULL,
                            side TEXT NOT NULL,
                            notional REAL NOT NULL,
                            quantity REAL NOT NULL,
                            price REAL NOT NULL,
                            weight REAL NOT NULL,
                            proba REAL NOT NULL,
                            parameters TEXT NOT NULL,
                            PRIMARY KEY (as_of, model_version, pair, symbol)
                        ) WITHOUT ROWID;
                        CREATE INDEX IF NOT EXISTS signals_by_time ON signals (model_version, open_time);
                        """)
            },
            // The paper ledger (`LedgerRecords`): its state between bars, and what each booked bar did.
            Migration("portfolio.v2-ledger") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE IF NOT EXISTS ledger_state (
                            id INTEGER PRIMARY KEY CHECK (id = 1),
                            model_name TEXT NOT NULL,
                            model_source TEXT NOT NULL,
                            newest_bar INTEGER,
                            state TEXT NOT NULL
                        );
                        CREATE TABLE IF NOT EXISTS ledger_marks (
                            pair TEXT NOT NULL,
                            open_time INTEGER NOT NULL,
                            model_version INTEGER NOT NULL,
                            position REAL NOT NULL,
                            decided REAL NOT NULL,
                            equity_before REAL NOT NULL,
                            equity REAL NOT NULL,
                            pnl REAL NOT NULL,
                            cost REAL NOT NULL,
                            status TEXT NOT NULL,
                            z REAL,
                            proba REAL,
                            signal INTEGER,
                            ret REAL,
                            PRIMARY KEY (pair, open_time)
                        ) WITHOUT ROWID;
                        CREATE TABLE IF NOT EXISTS ledger_fills (
                            pair TEXT NOT NULL,
                            open_time INTEGER NOT NULL,
                            symbol TEXT NOT NULL,
                            model_version INTEGER NOT NULL,
                            side TEXT NOT NULL,
                            quantity REAL NOT NULL,
                            price REAL NOT NULL,
                            notional REAL NOT NULL,
                            cost REAL NOT NULL,
                            reason TEXT NOT NULL,
                            decided_at INTEGER NOT NULL,
                            PRIMARY KEY (pair, open_time, symbol)
                        ) WITHOUT ROWID;
                        CREATE TABLE IF NOT EXISTS ledger_trades (
                            pair TEXT NOT NULL,
                            entry_time INTEGER NOT NULL,
                            exit_time INTEGER NOT NULL,
                            model_version INTEGER NOT NULL,
                            side REAL NOT NULL,
                            ret REAL NOT NULL,
                            PRIMARY KEY (pair, entry_time)
                        ) WITHOUT ROWID;
                        CREATE TABLE IF NOT EXISTS ledger_events (
                            seq INTEGER PRIMARY KEY AUTOINCREMENT,
                            open_time INTEGER NOT NULL,
                            pair TEXT NOT NULL,
                            from_status TEXT NOT NULL,
                            to_status TEXT NOT NULL,
                            reason TEXT NOT NULL
                        );
                        CREATE TABLE IF NOT EXISTS ledger_portfolio (
                            open_time INTEGER PRIMARY KEY,
                            equity REAL NOT NULL,
                            peak REAL NOT NULL,
                            gross REAL NOT NULL,
                            net REAL NOT NULL,
                            positions INTEGER NOT NULL,
                            stopped INTEGER NOT NULL
                        );
                        CREATE INDEX IF NOT EXISTS ledger_fills_by_time ON ledger_fills (open_time);
                        """)
            }
        ])
}
