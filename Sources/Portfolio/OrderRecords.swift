import GRDB

/// Typed access to `orders`: one row per leg of each bar's order book.
public enum OrderRecords {
    /// Replaces the book of (bar, model version): a rerun of a cycle leaves one copy.
    public static func replace(_ book: OrderBook, parameters: String, in db: Database) throws {
        try db.execute(
            sql: "DELETE FROM orders WHERE as_of = ? AND model_version = ?", arguments: [book.asOf, book.modelVersion])
        for order in book.orders {
            try db.execute(
                sql: """
                    INSERT INTO orders (as_of, model_version, pair, symbol, side, notional, quantity, price, weight, proba, parameters)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    book.asOf, book.modelVersion, order.pair, order.symbol, order.side, order.notional,
                    order.quantity, order.price, order.weight, order.proba, parameters
                ])
        }
    }

    /// Every stored order leg, optionally of one pair, with `from ≤ as_of ≤ to`, by bar, version,
    /// pair and symbol; `parameters` is the aggregation's settings as JSON.
    public static func all(pair: String? = nil, from: Int64 = .min, to: Int64 = .max, in db: Database) throws -> [(
        asOf: Int64, modelVersion: Int, order: Order, parameters: String
    )] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT as_of, model_version, pair, symbol, side, notional, quantity, price, weight, proba, parameters
                FROM orders WHERE (?1 IS NULL OR pair = ?1) AND as_of BETWEEN ?2 AND ?3
                ORDER BY as_of, model_version, pair, symbol
                """, arguments: [pair, from, to]
        ).map {
            (
                $0[0], $0[1],
                Order(
                    symbol: $0[3], side: $0[4], notional: $0[5], quantity: $0[6], price: $0[7], pair: $0[2],
                    weight: $0[8], proba: $0[9]), $0[10]
            )
        }
    }
}
