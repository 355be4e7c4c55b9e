import Foundation
import TestSupport
import Testing
import Store
@testable import MarketData

struct CSVTests {
    @Test func exportThenImportIsLossless() throws {
        let market = SyntheticMarket(seed: 5)
        let bars = try market.series(
            symbols: ["SYND1USDT"], timeframe: .m15, from: SyntheticMarket.origin,
            to: SyntheticMarket.origin + 86_400_000)[0].bars
        let text = BarCSV.render(bars)
        #expect(try BarCSV.parse(text, name: "export.csv", timeframe: .m15) == bars)
    }

    @Test func acceptsISOTimesAnyColumnOrderAndExtraColumns() throws {
        let text = """
            Close,Volume,Timestamp,Open,High,Low,trades
            10.5,100,2024-01-01T00:00:00Z,10,11,9.5,3
            10.7,90,2024-01-01 01:00,10.5,10.9,10.4,4\r
            """
        let bars = try BarCSV.parse(text, name: "f.csv", timeframe: .h1)
        #expect(
            bars == [
                Bar(openTime: 1_704_067_200_000, open: 10, high: 11, low: 9.5, close: 10.5, volume: 100),
                Bar(openTime: 1_704_070_800_000, open: 10.5, high: 10.9, low: 10.4, close: 10.7, volume: 90)
            ])
    }

    @Test(arguments: [
        (
            "open_time,open,high,low,close,volume\n1704067200000,1,2,0.5,1.5,10\n1704070800000,1,abc,0.5,1.5,10\n",
            "f.csv:3: column 'high': 'abc' is not a number"
        ),
        (
            "open_time,open,high,low,close,volume\n2024-01-01T00:30:00Z,1,2,0.5,1.5,10\n",
            "f.csv:2: column 'open_time': 2024-01-01T00:30:00Z is not the open of a 1h bar"
        ),
        (
            "open_time,open,high,low,close,volume\nnot-a-time,1,2,0.5,1.5,10\n",
            "f.csv:2: column 'open_time': 'not-a-time' is neither"
        ),
        (
            "open_time,open,high,low,close,volume\n1704067200000,1,1.2,0.5,1.5,10\n",
            "f.csv:2: high 1.2 is below max(open, close) 1.5"
        ),
        ("open_time,open,high,low,close,volume\n1704067200000,1,2,0.5,1.5\n", "f.csv:2: 5 fields, the header has 6"),
        ("open_time,open,high,low,close\n", "f.csv:1: missing column 'volume'"),
        ("when,open,high,low,close,volume\n", "f.csv:1: no time column"),
        ("", "f.csv:1: empty file"),
        (
            "open_time,open,high,low,close,volume\n1704067200000,-1,2,0.5,1.5,10\n",
            "f.csv:2: open must be a positive finite number"
        )
    ])
    func rejectsBadInputNamingLineAndColumn(text: String, message: String) {
        #expect {
            _ = try BarCSV.parse(text, name: "f.csv", timeframe: .h1)
        } throws: { error in
            "\(error)".hasPrefix(message) || "\(error)".contains(message)
        }
    }

    @Test func csvIngestCollapsesDuplicatesDropsOpenBarsAndRejectsBadFilesWhole() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/in.csv"
        let header = "open_time,open,high,low,close,volume\n"
        let rows = [
            "2024-01-01T00:00:00Z,10,11,9,10.5,1",
            "2024-01-01T01:00:00Z,10.5,11,10,10.8,2",
            "2024-01-01T01:00:00Z,10.5,11,10,10.8,2",
            "2024-01-01T03:00:00Z,10.8,11,10,10.9,3",
            "2024-01-01T04:00:00Z,10.9,11,10,10.95,3"
        ]
        try (header + rows.joined(separator: "\n")).write(toFile: path, atomically: true, encoding: .utf8)
        let store = try DataStore(dataDirectory: directory, schemas: [.marketData])
        let now = UTCTime.parse("2024-01-01T04:30:00Z")!
        let request = IngestRequest(symbols: ["CSVUSDT"], timeframe: .h1, since: 0, until: now)
        let summary = try Ingestor(store: store).run(.csv(path: path), request, now: now)
        #expect(
            summary.received == 5 && summary.duplicates == 1 && summary.openBarsDropped == 1 && summary.inserted == 3)
        #expect(summary.gaps.first?.missingBars == 1)

        try (header + rows.joined(separator: "\n") + "\n2024-01-01T05:00:00Z,1,x,1,1,1\n").write(
            toFile: path, atomically: true, encoding: .utf8)
        let before = try store.bars(symbol: "CSVUSDT", timeframe: .h1)
        #expect(throws: MarketDataError.self) { try Ingestor(store: store).run(.csv(path: path), request, now: now) }
        #expect(try store.bars(symbol: "CSVUSDT", timeframe: .h1) == before)
        #expect(throws: MarketDataError.self) {
            try Ingestor(store: store).run(.csv(path: directory + "/missing.csv"), request, now: now)
        }
    }
}
