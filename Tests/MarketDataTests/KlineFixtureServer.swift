import Foundation
import Hummingbird
import TestSupport
import Logging
import MarketData
import NIOCore

/// A local stand-in for Binance's klines endpoint, on 127.0.0.1 and an ephemeral port. Each
/// symbol picks a behaviour, so tests cover paging, gaps, throttling, server errors, malformed
/// bodies and the still-open last bar without touching the network.
final class KlineFixture: @unchecked Sendable {
    // @unchecked Sendable: the request log is guarded by `lock`; everything else is immutable.
    static let timeframe = Timeframe.m1
    /// 2,500 one-minute bars exist from `dataStart`; the last one is still open at `now`.
    static let dataStart: Int64 = 1_735_689_600_000 // 2025-01-01T00:00Z
    static let barCount = 2_500
    static let now: Int64 = dataStart + Int64(barCount - 1) * 60_000 + 30_000
    static let missingIndices: Set<Int> = [100, 101, 102, 103, 104, 300]

    private let lock = NSLock()
    private var log: [(symbol: String, startTime: Int64)] = []

    var requests: [(symbol: String, startTime: Int64)] { lock.withLock { log } }
    func requestCount(_ symbol: String) -> Int { requests.filter { $0.symbol == symbol }.count }

    static func bar(_ index: Int) -> Bar {
        let close = 100 + sin(Double(index) / 50) * 5 + Double(index) * 0.001
        let open = 100 + sin(Double(index - 1) / 50) * 5 + Double(index - 1) * 0.001
        return Bar(
            openTime: dataStart + Int64(index) * 60_000, open: open, high: max(open, close) + 0.05,
            low: min(open, close) - 0.05, close: close, volume: Double(index % 17) + 1.5)
    }

    /// The bars a correct client must store for a symbol with gaps (or without).
    static func expectedClosedBars(withGaps: Bool) -> [Bar] {
        (0..<(barCount - 1)).filter { !withGaps || !missingIndices.contains($0) }.map(bar)
    }

    private func record(_ symbol: String, _ start: Int64) -> Int {
        lock.withLock {
            log.append((symbol, start))
            return log.filter { $0.symbol == symbol }.count
        }
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/api/v3/klines") { request, _ -> Response in
            let query = request.uri.queryParameters
            let symbol = query["symbol"].map(String.init) ?? ""
            let start = query["startTime"].flatMap { Int64($0) } ?? Self.dataStart
            let end = query["endTime"].flatMap { Int64($0) } ?? .max
            let limit = query["limit"].flatMap { Int($0) } ?? 500
            let attempt = self.record(symbol, start)
            switch symbol {
            case "NOPEUSDT":
                return Self.json(.badRequest, #"{"code":-1121,"msg":"Invalid symbol."}"#)
            case "BADUSDT":
                return Self.json(.ok, #"[[1735689600000,"100.0","101.0""#)
            case "DOWNUSDT":
                return Self.json(
                    .serviceUnavailable, #"{"code":-1001,"msg":"Internal error; unable to process your request."}"#)
            case "THROTTLEUSDT" where attempt == 1:
                var response = Self.json(.tooManyRequests, #"{"code":-1003,"msg":"Too many requests."}"#)
                response.headers[.retryAfter] = "1"
                return response
            case "FLAKYUSDT" where attempt == 1:
                return Self.json(.internalServerError, "<html>oops</html>")
            case "HUGEUSDT":
                // A page far beyond any klines page (a proxy's runaway answer).
                return Self.json(.ok, "[" + String(repeating: " ", count: 12 << 20) + "]")
            case "TIMEOUTUSDT":
                try await Task.sleep(for: .seconds(2))
                return Self.json(.ok, "[]")
            default:
                break
            }
            let withGaps = symbol == "GAPUSDT"
            var rows: [String] = []
            for index in 0..<Self.barCount where rows.count < limit {
                let bar = Self.bar(index)
                guard bar.openTime >= start, bar.openTime <= end, !(withGaps && Self.missingIndices.contains(index))
                else { continue }
                rows.append(
                    #"[\#(bar.openTime),"\#(bar.open)","\#(bar.high)","\#(bar.low)","\#(bar.close)","\#(bar.volume)",\#(bar.openTime + 59_999),"0",1,"0","0","0"]"#
                )
            }
            return Self.json(.ok, "[" + rows.joined(separator: ",") + "]")
        }
        return router
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Runs `body` with the server listening; it stops when `body` returns or throws.
    func withServer<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        try await withLocalServer(router(), label: "kline-fixture", body)
    }
}
