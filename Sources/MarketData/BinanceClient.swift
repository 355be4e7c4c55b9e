import Foundation
import HTTPClient

/// Binance's public spot klines endpoint (`GET /api/v3/klines`), paginated by `startTime` with
/// `limit=1000`. Only closed bars are returned: a bar still open at `now` is dropped.
public struct BinanceClient: Sendable {
    public static let defaultBaseURL = "https://api.binance.com"
    public static let pageLimit = 1000

    public let baseURL: String
    private let http: HTTPClient

    public init(baseURL: String = defaultBaseURL, http: HTTPClient) throws {
        var base = baseURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw MarketDataError.invalidArgument(
                "invalid --binance-url '\(baseURL)': it must start with http:// or https://")
        }
        self.baseURL = base
        self.http = http
    }

    /// The largest klines page taken: a page of `pageLimit` bars is ~150 KB, so a larger answer is
    /// not the exchange's (a proxy's error page, a runaway stream) and is cut off, not held.
    static let maxPageBytes = 8 << 20

    /// Closed bars with `from ≤ open_time < to`, oldest first, without duplicates.
    /// `onPage` reports how far the download got (open time of the newest bar so far).
    public func klines(
        symbol: String, timeframe: Timeframe, from: Int64, to: Int64,
        now: Int64 = UTCTime.nowMilliseconds(), onPage: (Int64) -> Void = { _ in }
    ) throws -> (bars: [Bar], openBarsDropped: Int) {
        var bars: [Bar] = []
        var openBarsDropped = 0
        var start = from
        while start < to {
            let url =
                "\(baseURL)/api/v3/klines?symbol=\(symbol)&interval=\(timeframe.rawValue)&startTime=\(start)&endTime=\(to - 1)&limit=\(Self.pageLimit)"
            let response: HTTPResponse
            do {
                response = try http.send(HTTPRequest(method: "GET", url: url, maxResponseBytes: Self.maxPageBytes))
            } catch {
                throw MarketDataError.exchange("binance: \(symbol) \(timeframe): \(error)")
            }
            guard response.status == 200 else {
                throw MarketDataError.exchange("binance: \(symbol) \(timeframe): " + Self.describeError(response))
            }
            let page = try Self.parseKlines(response.body, symbol: symbol, timeframe: timeframe, pageStart: start)
            for bar in page where bar.openTime >= from && bar.openTime < to {
                if bar.openTime + timeframe.milliseconds <= now {
                    bars.append(bar)
                } else {
                    openBarsDropped += 1
                }
            }
            guard page.count >= Self.pageLimit, let last = page.last else { break }
            guard last.openTime >= start else {
                throw MarketDataError.exchange(
                    "binance: \(symbol) \(timeframe): the page from \(UTCTime.format(start)) did not move forward")
            }
            start = last.openTime + timeframe.milliseconds
            onPage(last.openTime)
        }
        return (collapseDuplicates(bars).bars, openBarsDropped)
    }

    /// Binance answers errors as `{"code": -1121, "msg": "Invalid symbol."}`.
    static func describeError(_ response: HTTPResponse) -> String {
        var text = "HTTP \(response.status)"
        if response.attempts > 1 { text += " after \(response.attempts) attempts" }
        if let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let message = object["msg"] as? String
        {
            let code = (object["code"] as? NSNumber).map { " (code \($0))" } ?? ""
            return text + ": \(message)\(code)"
        }
        let snippet = response.bodyText.prefix(200).trimmingCharacters(in: .whitespacesAndNewlines)
        return snippet.isEmpty ? text : text + ": \(snippet)"
    }

    /// A kline is `[openTime, "open", "high", "low", "close", "volume", closeTime, …]`.
    static func parseKlines(_ body: [UInt8], symbol: String, timeframe: Timeframe, pageStart: Int64) throws -> [Bar] {
        func malformed(_ why: String) -> MarketDataError {
            .exchange(
                "binance: \(symbol) \(timeframe): malformed klines response for the page from \(UTCTime.format(pageStart)): \(why)"
            )
        }
        guard let rows = try? JSONSerialization.jsonObject(with: Data(body)) as? [Any] else {
            throw malformed("not a JSON array")
        }
        func number(_ value: Any, _ field: String, _ row: Int) throws -> Double {
            if let text = value as? String, let number = Double(text) { return number }
            if let number = value as? NSNumber, !(value is Bool) { return number.doubleValue }
            throw malformed("row \(row) field \(field) is not a number")
        }
        return try rows.enumerated().map { index, element in
            guard let row = element as? [Any], row.count >= 6 else {
                throw malformed("row \(index) is not a kline array")
            }
            guard let openTime = (row[0] as? NSNumber)?.int64Value, openTime % timeframe.milliseconds == 0 else {
                throw malformed("row \(index) has no valid open time")
            }
            let bar = Bar(
                openTime: openTime, open: try number(row[1], "open", index), high: try number(row[2], "high", index),
                low: try number(row[3], "low", index), close: try number(row[4], "close", index),
                volume: try number(row[5], "volume", index))
            if let defect = bar.defect { throw malformed("row \(index): \(defect)") }
            return bar
        }
    }
}
