import Foundation
import TestSupport
import GRDB
import Testing
import Store
@testable import MarketData

struct StoreTests {
    static func bars(_ count: Int, start: Int64 = 1_735_689_600_000, step: Int64 = 3_600_000, price: Double = 10)
        -> [Bar]
    {
        (0..<count).map { index in
            let close = price + Double(index) * 0.25
            return Bar(
                openTime: start + Int64(index) * step, open: close - 0.1, high: close + 0.2, low: close - 0.3,
                close: close, volume: 5)
        }
    }

    @Test func upsertIsIdempotentAndUpdatesChangedBars() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try DataStore(dataDirectory: directory, schemas: [.marketData])
        let series = BarSeries(symbol: "AAAUSDT", timeframe: .h1, bars: Self.bars(100))
        let first = try store.upsert([series])
        #expect(
            first == [SeriesWriteResult(symbol: "AAAUSDT", timeframe: .h1, inserted: 100, updated: 0, unchanged: 0)])
        let again = try store.upsert([series])
        #expect(
            again == [SeriesWriteResult(symbol: "AAAUSDT", timeframe: .h1, inserted: 0, updated: 0, unchanged: 100)])

        var corrected = series
        corrected.bars[10].close += 0.05
        corrected.bars[10].high += 0.05
        corrected.bars.append(contentsOf: Self.bars(1, start: series.bars.last!.openTime + 3_600_000))
        let third = try store.upsert([corrected])
        #expect(third == [SeriesWriteResult(symbol: "AAAUSDT", timeframe: .h1, inserted: 1, updated: 1, unchanged: 99)])
        #expect(try store.bars(symbol: "AAAUSDT", timeframe: .h1) == corrected.bars)
        #expect(
            try store.bars(
                symbol: "AAAUSDT", timeframe: .h1, from: series.bars[5].openTime, to: series.bars[7].openTime
            ).count == 3)
    }

    /// A defect anywhere in a bulk write rolls back everything, including series written before it.
    @Test func aBadBarRollsBackTheWholeWrite() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try DataStore(dataDirectory: directory, schemas: [.marketData])
        try store.upsert([BarSeries(symbol: "KEEPUSDT", timeframe: .h1, bars: Self.bars(3))])
        var bad = Self.bars(50)
        bad[40].high = bad[40].low - 1
        #expect(throws: MarketDataError.self) {
            try store.upsert([
                BarSeries(symbol: "NEWUSDT", timeframe: .h1, bars: Self.bars(10)),
                BarSeries(symbol: "BADUSDT", timeframe: .h1, bars: bad)
            ])
        }
        #expect(try store.summaries().map(\.symbol) == ["KEEPUSDT"])
    }

    @Test func storeIsInWALModeAndAnotherConnectionReadsDuringAWrite() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try DataStore(dataDirectory: directory, schemas: [.marketData])
        try writer.upsert([BarSeries(symbol: "AAAUSDT", timeframe: .h1, bars: Self.bars(10))])
        let mode = try writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let reader = try DataStore(path: writer.path, schemas: [.marketData])
        // While the writer's transaction is open and uncommitted, the reader sees the last commit.
        try writer.write { db in
            _ = try DataStore.upsert(BarSeries(symbol: "BBBUSDT", timeframe: .h1, bars: Self.bars(10)), in: db)
            #expect(try reader.summaries().map(\.symbol) == ["AAAUSDT"])
        }
        #expect(try reader.summaries().map(\.symbol) == ["AAAUSDT", "BBBUSDT"])
    }

    @Test func aDataDirectoryThatIsAFileIsAClearError() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/not-a-dir"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        #expect {
            _ = try DataStore(dataDirectory: file, schemas: [.marketData])
        } throws: { error in
            "\(error)".contains("cannot create data directory") && "\(error)".contains(file)
        }
    }

    @Test func duplicatesCollapseToTheLastOccurrence() {
        var input = Self.bars(5)
        var replacement = input[2]
        replacement.close += 0.01
        replacement.high += 0.01
        input.append(replacement)
        input.append(input[0])
        let (bars, duplicates) = collapseDuplicates(input.reversed())
        #expect(duplicates == 2)
        #expect(bars.map(\.openTime) == Self.bars(5).map(\.openTime))
        // Reversed input: the first-listed copy of bar 2 is `replacement`, the last is the original.
        #expect(bars[2] == Self.bars(5)[2])
    }

    @Test func gapReportAndFillers() {
        let complete = Self.bars(20)
        var bars = complete
        bars.removeAll { [5, 6, 7, 13].map { complete[$0].openTime }.contains($0.openTime) }
        let report = Gaps.report(symbol: "X", timeframe: .h1, openTimes: bars.map(\.openTime))
        #expect(report.gaps == 2 && report.missingBars == 4 && report.longestBars == 3)
        #expect(report.longestStart == Self.bars(20)[5].openTime)
        let fillers = Gaps.fillers(for: bars, timeframe: .h1)
        #expect(fillers.map(\.openTime) == [5, 6, 7, 13].map { Self.bars(20)[$0].openTime })
        #expect(fillers.allSatisfy { $0.isFilled && $0.volume == 0 && $0.defect == nil })
        #expect(fillers[0].close == bars[4].close)
        #expect(Gaps.report(symbol: "X", timeframe: .h1, openTimes: (bars + fillers).map(\.openTime).sorted()).isEmpty)
    }
}

struct UTCTimeTests {
    @Test func parsesTheFormsUsersType() {
        #expect(UTCTime.parse("2024-01-01") == 1_704_067_200_000)
        #expect(UTCTime.parse("2024-01-01T00:00:00Z") == 1_704_067_200_000)
        let halfPastOne: Int64 = 1_704_067_200_000 + 5_400_000
        #expect(UTCTime.parse("2024-01-01 01:30") == halfPastOne)
        #expect(UTCTime.parse("2024-01-01T02:00:00+02:00") == 1_704_067_200_000)
        #expect(UTCTime.parse("2024-02-29T12:00:00.250Z") == 1_709_208_000_250)
        #expect(UTCTime.parse("1704067200000") == 1_704_067_200_000)
        for bad in ["", "2024-13-01", "2023-02-29", "2024-01-01T25:00", "yesterday", "2024-01-01T00:00:00Zjunk"] {
            #expect(UTCTime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func formatsAndRoundTrips() {
        #expect(UTCTime.format(1_704_067_200_000) == "2024-01-01T00:00:00Z")
        #expect(UTCTime.format(1_709_208_000_250) == "2024-02-29T12:00:00.250Z")
        #expect(UTCTime.format(-1) == "1969-12-31T23:59:59.999Z")
        for millis: Int64 in [0, 951_782_400_000, 1_735_689_599_999, 4_102_444_800_000] {
            #expect(UTCTime.parse(UTCTime.format(millis)) == millis)
        }
        #expect(UTCTime.compactStamp(1_704_067_200_000) == "20240101T000000Z")
    }
}
