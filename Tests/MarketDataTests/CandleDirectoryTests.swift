import Foundation
import TestSupport
import Testing

@testable import MarketData

struct CandleDirectoryTests {
    @Test func scansRecursivelyNamingSymbolsTimeframesAndFormats() throws {
        let root = try temporaryDirectory("candles")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bars = CandleFixtures.bars(count: 12)
        try CandleFixtures.write(BarCSV.render(bars), to: root + "/ours/BTCUSDT_5m.csv")
        try CandleFixtures.write(CandleFixtures.klines(bars, timeframe: .h1), to: root + "/ETHUSDT-1h.csv")
        try CandleFixtures.write(CandleFixtures.freqtradeJSON(bars), to: root + "/binance/SOL_USDT-5m.json")
        try CandleFixtures.write("notes", to: root + "/README.md")
        try CandleFixtures.write("x", to: root + "/.DS_Store")
        try CandleFixtures.write("x", to: root + "/.cache/junk.bin")
        let directory = try CandleDirectory(root: root)
        #expect(directory.symbols == ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
        #expect(directory.files.map(\.format) == [.exchangeCSV, .freqtradeJSON, .csv])
        #expect(directory.ignored == [root + "/README.md"])
        #expect(directory.timeframes(of: "ETHUSDT") == [.h1])

        let sol = try directory.load(symbol: "SOLUSDT", timeframe: .m5)
        #expect(sol.bars == bars && sol.received == 12 && sol.duplicates == 0 && sol.files.count == 1)
        let btc = try directory.load(symbol: "BTCUSDT", timeframe: .m5)
        #expect(btc.bars == bars && btc.checksumsMissing == 0 && btc.checksumsVerified == 0)
    }

    @Test func timeframesAreSortedByLength() throws {
        let root = try temporaryDirectory("candles")
        defer { try? FileManager.default.removeItem(atPath: root) }
        for timeframe in [Timeframe.d1, .m1, .h4, .m15] {
            try CandleFixtures.write(
                BarCSV.render(CandleFixtures.bars(count: 2, timeframe: timeframe)),
                to: root + "/BTCUSDT-\(timeframe).csv")
        }
        #expect(try CandleDirectory(root: root).timeframes(of: "BTCUSDT") == [.m1, .m15, .h4, .d1])
    }

    @Test func unsortedAndRepeatedRowsAreSortedAndCountedAndConflictsRefused() throws {
        let root = try temporaryDirectory("candles")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bars = CandleFixtures.bars(count: 6)
        let shuffled = [bars[2], bars[0], bars[1], bars[1], bars[5], bars[3], bars[4]]
        try CandleFixtures.write(CandleFixtures.klines(shuffled), to: root + "/BTCUSDT-5m.csv")
        let load = try CandleDirectory(root: root).load(symbol: "BTCUSDT", timeframe: .m5)
        #expect(load.bars == bars)
        #expect(load.received == 7 && load.duplicates == 1 && load.unsorted == 2)

        var changed = bars[1]
        changed.close += 1
        changed.high += 1
        try CandleFixtures.write(
            CandleFixtures.klines([bars[0], bars[1], bars[2], changed]), to: root + "/BTCUSDT-5m.csv")
        let message = CandleFixtures.refusal {
            _ = try CandleDirectory(root: root).load(symbol: "BTCUSDT", timeframe: .m5)
        }
        #expect(
            message?.hasPrefix(
                root
                    + "/BTCUSDT-5m.csv:4: the bar opening at 2024-01-01T00:05:00Z conflicts with \(root)/BTCUSDT-5m.csv:2"
            ) == true, "\(message ?? "none")")
    }

    @Test func freqtradeCandlesReadExactlyAndBadOnesNameLineAndCandle() throws {
        let root = try temporaryDirectory("candles")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text =
            "[[1704067200000,42000.1,42100.0,41900.5,42050.0,12.5],\n [1704067500000, 42050, 42060, 42000, 42010, 0]]"
        try CandleFixtures.write(text, to: root + "/BTC_USDT-5m.json")
        let load = try CandleDirectory(root: root).load(symbol: "btcusdt", timeframe: .m5)
        #expect(
            load.bars == [
                Bar(
                    openTime: 1_704_067_200_000, open: 42000.1, high: 42100.0, low: 41900.5, close: 42050.0,
                    volume: 12.5),
                Bar(openTime: 1_704_067_500_000, open: 42050, high: 42060, low: 42000, close: 42010, volume: 0)
            ])
        let cases = [
            (
                "[[1704067200000,1,2,0.5,1.5,1],\n[1704067500000,1,null,0.5,1.5,1]]",
                ":2: candle 2: high 'null' is not a number"
            ),
            ("[[1704067200000,1,2,0.5,1.5]]", ":1: candle 1: a candle has 6 values"),
            ("[[1704067260000,1,2,0.5,1.5,1]]", ":1: candle 1: 2024-01-01T00:01:00Z is not the open of a 5m bar"),
            ("{\"data\": []}", ":1: candle 1: freqtrade's candles are one JSON array"),
            ("[[1704067200000,1,2,0.5,1.5,-1]]", ":1: candle 1: volume must be a non-negative")
        ]
        for (body, expected) in cases {
            try CandleFixtures.write(body, to: root + "/BTC_USDT-5m.json")
            let message = CandleFixtures.refusal {
                _ = try CandleDirectory(root: root).load(symbol: "BTCUSDT", timeframe: .m5)
            }
            #expect(message?.hasPrefix(root + "/BTC_USDT-5m.json" + expected) == true, "\(message ?? "none")")
        }
    }

    @Test(arguments: [
        ("BTCUSDT.csv", "the name gives no symbol and timeframe; name CSV files SYMBOL_TIMEFRAME.csv"),
        ("BTCUSDT_5min.csv", "'5min' is not a timeframe"),
        ("BTCUSDT-5m-January.csv", "'January' after the timeframe is not a date"),
        ("BTCUSDT-5m.zip", "the exchange's archives are named SYMBOL-TIMEFRAME-YYYY-MM.zip"),
        ("BTC_USDT-5m.feather", "freqtrade convert-data --format-from feather --format-to json"),
        ("BTC_USDT-5m.json.gz", "--format-from jsongz --format-to json"),
        ("BTC_USDT_USDT-5m-futures.json", "freqtrade's futures candles are not read, only spot ones"),
        ("BTC_USDT-trades.json", "'trades' is not a timeframe"),
        ("prices.xlsx", "not a candle file this reader knows")
    ])
    func badNamesAreRefusedNamingTheFileAndTheRule(name: String, expected: String) throws {
        let root = try temporaryDirectory("candles")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try CandleFixtures.write(BarCSV.render(CandleFixtures.bars(count: 2)), to: root + "/BTCUSDT_5m.csv")
        try CandleFixtures.write("x", to: root + "/sub/" + name)
        let message = CandleFixtures.refusal { _ = try CandleDirectory(root: root) }
        #expect(message?.hasPrefix(root + "/sub/" + name + ": ") == true, "\(message ?? "none")")
        #expect(message?.contains(expected) == true, "\(message ?? "none")")
    }

    @Test func missingDirectoryAndMissingSymbolAreRefusedByName() throws {
        let root = try temporaryDirectory("candles")
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(
            CandleFixtures.refusal { _ = try CandleDirectory(root: root + "/absent") }
                == "\(root)/absent: no such candle directory")
        try CandleFixtures.write(BarCSV.render(CandleFixtures.bars(count: 2)), to: root + "/BTCUSDT_5m.csv")
        let directory = try CandleDirectory(root: root)
        #expect(
            CandleFixtures.refusal { _ = try directory.load(symbol: "ETHUSDT", timeframe: .m5) }
                == "ETHUSDT 5m: no candle file in \(root) (symbols there: BTCUSDT)")
        #expect(
            CandleFixtures.refusal { _ = try directory.load(symbol: "BTCUSDT", timeframe: .h1) }
                == "BTCUSDT 1h: no candle file in \(root) (its timeframes there: 5m)")
    }

    @Test func headerNotUnderstoodNamesTheFileAndLine() throws {
        let root = try temporaryDirectory("candles")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try CandleFixtures.write("stamp,o,h,l,c,v\n1704067200000,1,2,0.5,1.5,1\n", to: root + "/BTCUSDT_5m.csv")
        let message = CandleFixtures.refusal {
            _ = try CandleDirectory(root: root).load(symbol: "BTCUSDT", timeframe: .m5)
        }
        #expect(message?.hasPrefix(root + "/BTCUSDT_5m.csv:1: no time column") == true, "\(message ?? "none")")
    }

    @Test func archivesOnlyPassesOverOtherFiles() throws {
        let root = try temporaryDirectory("candles")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let bars = CandleFixtures.bars(count: 3)
        try CandleFixtures.write(BarCSV.render(bars), to: root + "/BTCUSDT_5m.csv")
        try CandleFixtures.write("x", to: root + "/whatever.csv")
        try CandleFixtures.archive(CandleFixtures.klines(bars), at: root + "/ETHUSDT-5m-2024-01.zip")
        let directory = try CandleDirectory(root: root, formats: [.exchangeArchive])
        #expect(directory.symbols == ["ETHUSDT"])
        #expect(directory.files.map(\.format) == [.exchangeArchive])
        #expect(directory.ignored.count == 3)
    }
}
