import Foundation
import Hummingbird
@testable import HTTPClient
import TestSupport
import Testing

/// Retries, `Retry-After` and errors against a local server; the exchange-specific paging is
/// tested in MarketDataTests.
@Suite(.serialized)
struct HTTPClientTests {
    final class Counter: @unchecked Sendable {
        // A lock guards the count: handlers run on the server's threads.
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.withLock {
                value += 1
                return value
            }
        }
    }

    static func client(attempts: Int = 3) throws -> HTTPClient {
        try HTTPClient(
            configuration: HTTPClientConfiguration(
                retry: RetryPolicy(maxAttempts: attempts, baseDelay: 0.01, maxDelay: 0.02)))
    }

    @Test func aServerErrorIsRetriedAndTheAnswerReportsTheAttempts() async throws {
        let counter = Counter()
        let router = Router()
        router.get("/flaky") { _, _ -> Response in
            counter.next() < 3
                ? Response(status: .serviceUnavailable)
                : Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
        try await withLocalServer(router, label: "http-client-test") { base in
            let response = try await onThread { try Self.client().get(base + "/flaky") }
            #expect(response.status == 200)
            #expect(response.bodyText == "ok")
            #expect(response.attempts == 3)
        }
    }

    @Test func aClientErrorIsNotRetried() async throws {
        let counter = Counter()
        let router = Router()
        router.get("/missing") { _, _ -> Response in
            _ = counter.next()
            return Response(status: .notFound)
        }
        try await withLocalServer(router, label: "http-client-test") { base in
            let response = try await onThread { try Self.client().get(base + "/missing") }
            #expect(response.status == 404)
            #expect(response.attempts == 1)
        }
        #expect(counter.next() == 2)
    }

    @Test func retryAfterIsReadAsSecondsOrAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(parseRetryAfter("7", now: now) == 7)
        #expect(parseRetryAfter("Tue, 14 Nov 2023 22:13:30 GMT", now: now) == 10)
        #expect(parseRetryAfter("soon", now: now) == nil)
        #expect(parseRetryAfter(nil, now: now) == nil)
    }

    @Test func aRefusedConnectionIsReportedWithItsAttempts() throws {
        let error = #expect(throws: HTTPClientError.self) { try Self.client(attempts: 2).get("http://127.0.0.1:9/") }
        #expect(error?.description.contains("after 2 attempts") == true)
    }
}
