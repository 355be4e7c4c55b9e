import GRDB
import Store

extension StoreSchema {
    /// One row per scored bar and model version (a rerun of a cycle inserts nothing new), and the orders.
    public static let portfolio = StoreSchema(owner: "Portfolio", migrations: [
        Migration("portfolio.v1") { db in
            try db.execute(sql: """
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
    ])
}
