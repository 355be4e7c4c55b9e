import Foundation
import TestSupport
import HTTPClient
import Testing
import Store
@testable import MarketData

/// Binance ingest against the local fixture server: paging, gaps, throttling, errors, open bars.
@Suite(.serialized)
struct BinanceIngestTests {
    static func client(_ baseURL: String, attempts: Int = 4, timeout: Double = 5) throws -> BinanceClient {
        let http = try HTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: 2, totalTimeout: timeout,
                retry: RetryPolicy(maxAttempts: attempts, baseDelay: 0.01, maxDelay: 0.05)))
        return try BinanceClient(baseURL: baseURL, http: http)
    }

    static func request(_ symbols: [String]) -> IngestRequest {
        IngestRequest(
            symbols: symbols, timeframe: KlineFixture.timeframe, since: KlineFixture.dataStart,
            until: KlineFixture.now + 86_400_000)
    }

    @Test func pagesThroughAllClosedBarsAndDropsTheOpenOne() async throws {
        let fixture = KlineFixture()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let summary = try await fixture.withServer { base in
            try await onThread {
                let store = try DataStore(dataDirectory: directory, schemas: [.marketData])
                let summary = try Ingestor(store: store).run(
                    .binance(try Self.client(base)), Self.request(["FIXAUSDT"]), now: KlineFixture.now)
                #expect(
                    try store.bars(symbol: "FIXAUSDT", timeframe: .m1)
                        == KlineFixture.expectedClosedBars(withGaps: false))
                return summary
            }
        }
        #expect(summary.inserted == KlineFixture.barCount - 1)
        #expect(summary.openBarsDropped == 1)
        #expect(summary.gaps.allSatisfy { $0.isEmpty })
        // 2,500 bars at 1,000 a page: three pages, each starting after the last bar of the one before.
        let starts = fixture.requests.map(\.startTime)
        #expect(
            starts == [
                KlineFixture.dataStart, KlineFixture.dataStart + 1000 * 60_000, KlineFixture.dataStart + 2000 * 60_000
            ])
    }

    @Test func reingestIsIdempotent() async throws {
        let fixture = KlineFixture()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (first, second) = try await fixture.withServer { base in
            try await onThread {
                let store = try DataStore(dataDirectory: directory, schemas: [.marketData])
                let ingestor = Ingestor(store: store)
                let first = try ingestor.run(
                    .binance(try Self.client(base)), Self.request(["FIXAUSDT"]), now: KlineFixture.now)
                let second = try ingestor.run(
                    .binance(try Self.client(base)), Self.request(["FIXAUSDT"]), now: KlineFixture.now)
                #expect(try store.bars(symbol: "FIXAUSDT", timeframe: .m1).count == KlineFixture.barCount - 1)
                return (first, second)
            }
        }
        #expect(first.inserted == KlineFixture.barCount - 1)
        #expect(second.inserted == 0 && second.updated == 0 && second.unchanged == KlineFixture.barCount - 1)
    }

    @Test func reportsGapsAndFillsThemOnRequest() async throws {
        let fixture = KlineFixture()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await fixture.withServer { base in
            try await onThread {
                let store = try DataStore(dataDirectory: directory, schemas: [.marketData])
                let plain = try Ingestor(store: store).run(
                    .binance(try Self.client(base)), Self.request(["GAPUSDT"]), now: KlineFixture.now)
                let report = try #require(plain.gaps.first)
                #expect(report.gaps == 2)
                #expect(report.missingBars == 6)
                #expect(report.longestBars == 5)
                #expect(report.longestStart == KlineFixture.bar(100).openTime)
                #expect(plain.line.contains("2 gaps (longest 5 bars in GAPUSDT)"))

                var fill = Self.request(["GAPUSDT"])
                fill.fillGaps = true
                let filled = try Ingestor(store: store).run(
                    .binance(try Self.client(base)), fill, now: KlineFixture.now)
                #expect(filled.filled == 6)
                #expect(filled.gaps.allSatisfy { $0.isEmpty })
                let bars = try store.bars(symbol: "GAPUSDT", timeframe: .m1)
                #expect(bars.count == KlineFixture.barCount - 1)
                let filler = try #require(bars.first { $0.openTime == KlineFixture.bar(102).openTime })
                #expect(filler.isFilled && filler.volume == 0)
                #expect(filler.open == KlineFixture.bar(99).close && filler.close == KlineFixture.bar(99).close)
            }
        }
    }

    @Test func honoursRetryAfterOn429() async throws {
        let fixture = KlineFixture()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let started = Date()
        let summary = try await fixture.withServer { base in
            try await onThread {
                try Ingestor(store: try DataStore(dataDirectory: directory, schemas: [.marketData])).run(
                    .binance(try Self.client(base)), Self.request(["THROTTLEUSDT"]), now: KlineFixture.now)
            }
        }
        #expect(summary.inserted == KlineFixture.barCount - 1)
        #expect(fixture.requestCount("THROTTLEUSDT") == 4) // the throttled first page, then three pages
        #expect(Date().timeIntervalSince(started) >= 1.0, "Retry-After: 1 must be waited out")
    }

    @Test func retriesAServerError() async throws {
        let fixture = KlineFixture()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let summary = try await fixture.withServer { base in
            try await onThread {
                try Ingestor(store: try DataStore(dataDirectory: directory, schemas: [.marketData])).run(
                    .binance(try Self.client(base)), Self.request(["FLAKYUSDT"]), now: KlineFixture.now)
            }
        }
        #expect(summary.inserted == KlineFixture.barCount - 1)
        #expect(fixture.requestCount("FLAKYUSDT") == 4)
    }

    @Test func doesNotRetryAClientErrorAndNamesIt() async throws {
        let fixture = KlineFixture()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = try await fixture.withServer { base in
            try await onThread { () -> String in
                do {
                    _ = try Ingestor(store: try DataStore(dataDirectory: directory, schemas: [.marketData])).run(
                        .binance(try Self.client(base)), Self.request(["NOPEUSDT"]), now: KlineFixture.now)
                    return ""
                } catch { return "\(error)" }
            }
        }
        #expect(
            error.contains("NOPEUSDT") && error.contains("HTTP 400") && error.contains("Invalid symbol.")
                && error.contains("-1121"))
        #expect(fixture.requestCount("NOPEUSDT") == 1)
    }

    @Test func givesUpAfterBoundedAttemptsOnPersistent5xx() async throws {
        let fixture = KlineFixture()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = try await fixture.withServer { base in
            try await onThread { () -> String in
                do {
                    _ = try Ingestor(store: try DataStore(dataDirectory: directory, schemas: [.marketData])).run(
                        .binance(try Self.client(base, attempts: 3)), Self.request(["DOWNUSDT"]), now: KlineFixture.now)
                    return ""
                } catch { return "\(error)" }
            }
        }
        #expect(error.contains("HTTP 503 after 3 attempts"))
        #expect(fixture.requestCount("DOWNUSDT") == 3)
    }

    /// A bad answer for one symbol rejects the whole ingest: the good symbol before it is not stored.
    /// A malformed page, or one larger than any klines page (cut off, not read whole), fails the
    /// whole ingest and writes nothing.
    @Test(arguments: [("BADUSDT", "malformed klines response"), ("HUGEUSDT", "is larger than \(8 << 20) bytes")])
    func aBadPageFailsTheWholeIngestAndWritesNothing(symbol: String, problem: String) async throws {
        let fixture = KlineFixture()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (error, stored) = try await fixture.withServer { base in
            try await onThread { () -> (String, Int) in
                let store = try DataStore(dataDirectory: directory, schemas: [.marketData])
                do {
                    _ = try Ingestor(store: store).run(
                        .binance(try Self.client(base)), Self.request(["FIXAUSDT", symbol]), now: KlineFixture.now)
                    return ("", -1)
                } catch {
                    return ("\(error)", try store.summaries().count)
                }
            }
        }
        #expect(error.contains(symbol) && error.contains(problem), "\(error)")
        #expect(stored == 0)
    }

    @Test func slowServerTimesOutAfterBoundedAttempts() async throws {
        let fixture = KlineFixture()
        let error = try await fixture.withServer { base in
            try await onThread { () -> String in
                do {
                    _ = try Self.client(base, attempts: 2, timeout: 0.3).klines(
                        symbol: "TIMEOUTUSDT", timeframe: .m1, from: KlineFixture.dataStart, to: KlineFixture.now)
                    return ""
                } catch { return "\(error)" }
            }
        }
        #expect(error.contains("timed out after 2 attempts"))
        #expect(fixture.requestCount("TIMEOUTUSDT") == 2)
    }

    @Test func connectionRefusedIsRetriedThenReported() throws {
        // Port 1 on loopback: nothing listens there, so every attempt is refused at once.
        let http = try HTTPClient(
            configuration: HTTPClientConfiguration(
                connectTimeout: 1, totalTimeout: 2, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.02))
        )
        #expect {
            try http.get("http://127.0.0.1:1/api/v3/klines")
        } throws: { error in
            guard case let .transport(_, _, timedOut, attempts) = error as? HTTPClientError else { return false }
            return !timedOut && attempts == 3
        }
    }

    @Test func rejectsABaseURLThatIsNotHTTP() throws {
        let http = try HTTPClient()
        #expect(throws: MarketDataError.self) { try BinanceClient(baseURL: "file:///etc/passwd", http: http) }
    }
}
