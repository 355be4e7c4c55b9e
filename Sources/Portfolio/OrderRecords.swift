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
}
