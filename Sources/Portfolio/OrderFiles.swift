import Foundation
import GRDB
import MarketData
import Basics
import Store

/// Where an order book goes: table `orders` (replaced per bar and model version, in one
/// transaction) and `<data-dir>/portfolio/orders_<bar>.json|csv` plus `latest_orders.json`, each
/// written atomically. Files are named after the scored bar, not the wall clock, so rerunning a
/// cycle rewrites the same files instead of adding new ones.
public enum OrderFiles {
    public static func stamp(_ asOf: Int64) -> String { UTCTime.compactStamp(asOf) }

    /// Returns the path of the bar's JSON file.
    @discardableResult
    public static func write(_ book: OrderBook, store: DataStore, locations: Locations) throws -> String {
        let parameters = String(decoding: try ProjectJSON.encoder(pretty: false).encode(book.parameters), as: UTF8.self)
        try store.write { db in try OrderRecords.replace(book, parameters: parameters, in: db) }
        let json = try ProjectJSON.encoder().encode(book)
        let stamp = stamp(book.asOf)
        let path = locations.dataPath("portfolio", "orders_\(stamp).json")
        try AtomicFile.write(json, to: path)
        try AtomicFile.write(csv(book), to: locations.dataPath("portfolio", "orders_\(stamp).csv"))
        try AtomicFile.write(json, to: locations.dataPath("portfolio", "latest_orders.json"))
        return path
    }

    public static func csv(_ book: OrderBook) -> String {
        var lines = ["as_of,symbol,side,notional,quantity,price,pair,weight,proba,model_version"]
        for order in book.orders {
            lines.append(
                [
                    book.asOfUtc, order.symbol, order.side, "\(order.notional)", "\(order.quantity)", "\(order.price)",
                    order.pair, "\(order.weight)", "\(order.proba)", "\(book.modelVersion)"
                ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func latest(locations: Locations) throws -> OrderBook? {
        let path = locations.dataPath("portfolio", "latest_orders.json")
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try ProjectJSON.decoder().decode(OrderBook.self, from: data)
        } catch {
            throw MarketDataError.invalidData("\(path) is not an order book: \(error)")
        }
    }
}
