import GRDB
import Store

extension StoreSchema {
    /// `bars`: every candle ingested, by symbol, timeframe and open time.
    public static let marketData = StoreSchema(
        owner: "MarketData",
        migrations: [
            Migration("market_data.v1") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE IF NOT EXISTS bars (
                            symbol TEXT NOT NULL,
                            timeframe TEXT NOT NULL,
                            open_time INTEGER NOT NULL,
                            open REAL NOT NULL,
                            high REAL NOT NULL,
                            low REAL NOT NULL,
                            close REAL NOT NULL,
                            volume REAL NOT NULL,
                            is_filled INTEGER NOT NULL DEFAULT 0,
                            PRIMARY KEY (symbol, timeframe, open_time)
                        ) WITHOUT ROWID;
                        """)
            }
        ])
}
