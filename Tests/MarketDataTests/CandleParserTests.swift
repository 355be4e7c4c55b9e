import Foundation
import TestSupport
import Testing

@testable import MarketData

struct CandleParserTests {
    @Test func renderThenParseIsBitIdenticalOverRandomDoubles() throws {
        var random = SeededRandom(seed: 27)
        var bars: [Bar] = []
        for index in 0..<20_000 {
            // Every positive finite double is as likely as any other bit pattern: subnormals,
            // 17-digit mantissas and large exponents all go through strtod; short ones the fast path.
            func draw() -> Double {
                switch index % 3 {
                case 0: return Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF | 1)
                case 1: return random.uniform() * 100_000 + 1e-9
                default: return (random.uniform() * 1e10).rounded() / 1e8 + 0.01
                }
            }
            let values = (0..<4).map { _ in draw() }
            let sorted = values.sorted()
            bars.append(
                Bar(
                    openTime: CandleFixtures.january + Int64(index) * 60_000, open: values[0], high: sorted[3],
                    low: sorted[0], close: values[1], volume: index % 7 == 0 ? 0 : draw()))
        }
        let parsed = try BarCSV.parse(BarCSV.render(bars), name: "random.csv", timeframe: .m1)
        #expect(parsed.count == bars.count)
        for (read, written) in zip(parsed, bars) {
            #expect(read.open.bitPattern == written.open.bitPattern)
            #expect(read.high.bitPattern == written.high.bitPattern)
            #expect(read.low.bitPattern == written.low.bitPattern)
            #expect(read.close.bitPattern == written.close.bitPattern)
            #expect(read.volume.bitPattern == written.volume.bitPattern)
        }
    }

    @Test(arguments: [
        "0.1", "42000.10000000", "0.00001234", "1e-05", "5e-324", "1.7976931348623157e+308", "123456789012345678",
        "9007199254740993", "0.30000000000000004", "100.0", "-2.5", "2.2250738585072014e-308"
    ])
    func numbersReadAsStrtodReadsThem(text: String) {
        var bytes = Array(text.utf8)
        bytes.append(0)
        let powers = CandleNumbers.powersOfTen
        let value = bytes.withUnsafeBufferPointer { buffer in
            powers.withUnsafeBufferPointer {
                CandleNumbers.double(buffer.baseAddress!, 0, text.utf8.count, powers: $0.baseAddress!)
            }
        }
        #expect(value?.bitPattern == strtod(text, nil).bitPattern)
        #expect(value?.bitPattern == Double(text)?.bitPattern)
    }

    @Test func exchangeRowsInMillisecondsAndMicrosecondsGiveTheSameBars() throws {
        let bars = CandleFixtures.bars(count: 50)
        let ms = try CandleCSVParser.parse(Array(CandleFixtures.klines(bars).utf8), name: "ms.csv", timeframe: .m5)
        let us = try CandleCSVParser.parse(
            Array(CandleFixtures.klines(bars, micro: true).utf8), name: "us.csv", timeframe: .m5)
        let headed = try CandleCSVParser.parse(
            Array(CandleFixtures.klines(bars, micro: true, header: true).utf8), name: "h.csv", timeframe: .m5)
        #expect(ms.bars == bars && us.bars == bars && headed.bars == bars)
        #expect(ms.format == .exchangeCSV && us.format == .exchangeCSV && headed.format == .exchangeCSV)
        #expect(headed.positions.first == 2 && ms.positions.first == 1)
    }

    @Test func ourLayoutReadsExactly() throws {
        let text =
            "Volume,Open_Time,open,high,low,close,note\n1.5,1704067200000,10,11,9.5,10.25,x\n0,2024-01-01T00:05:00Z,10.25,10.3,10.2,10.3,\n"
        let rows = try CandleCSVParser.parse(Array(text.utf8), name: "a.csv", timeframe: .m5)
        #expect(rows.format == .csv)
        #expect(
            rows.bars == [
                Bar(openTime: 1_704_067_200_000, open: 10, high: 11, low: 9.5, close: 10.25, volume: 1.5),
                Bar(openTime: 1_704_067_500_000, open: 10.25, high: 10.3, low: 10.2, close: 10.3, volume: 0)
            ])
    }

    static let good = "1704067200000,1,2,0.5,1.5,10,1704067499999,1,1,1,1,0"

    @Test(arguments: [
        // a file mixing timeframes: this bar closes an hour after it opens
        (
            good + "\n1704067500000,1,2,0.5,1.5,10,1704071099999,1,1,1,1,0\n", "f.csv:2: column 'close_time'",
            "a 1h bar, not a 5m bar"
        ),
        (
            "1704067260000,1,2,0.5,1.5,10,1704067559999,1,1,1,1,0\n", "f.csv:1: column 'open_time'",
            "is not the open of a 5m bar"
        ),
        (
            good + "\n1704067500000,nan,2,0.5,1.5,10,1704067799999,1,1,1,1,0\n", "f.csv:2: column 'open': 'nan'",
            "is not a number"
        ),
        (good + "\n1704067500000,0,2,0.5,1.5,10,1704067799999,1,1,1,1,0\n", "f.csv:2: open must be a positive", ""),
        (
            good + "\n1704067500000,1,2,0.5,1.5,-3,1704067799999,1,1,1,1,0\n", "f.csv:2: volume must be a non-negative",
            ""
        ),
        (
            good + "\n1704067500000,1,2,0.5,1.5,10\n", "f.csv:2: 6 fields, the exchange's kline layout has 12",
            "needs a header row"
        ),
        ("when,o,h\n" + good, "f.csv:1: no time column", "header read: when,o,h"),
        (good + "\n1704067500000,1,2,0.5,1.5,10,1704067799999,1,1,1,1,0,9\n", "f.csv:2: 13 fields", ""),
        (
            good + "\n1704067500123456,1,2,0.5,1.5,10,1704067799999,1,1,1,1,0\n", "f.csv:2: column 'open_time'",
            "not a whole millisecond"
        ),
        (good + "\n1704067500000,1,2,0.5,1.5,1e,1704067799999,1,1,1,1,0\n", "f.csv:2: column 'volume': '1e'", "")
    ])
    func badRowsAreRefusedNamingFileAndLine(text: String, prefix: String, detail: String) {
        let message = CandleFixtures.refusal {
            _ = try CandleCSVParser.parse(Array(text.utf8), name: "f.csv", timeframe: .m5)
        }
        #expect(message?.hasPrefix(prefix) == true, "\(message ?? "no refusal")")
        #expect(detail.isEmpty || message?.contains(detail) == true, "\(message ?? "no refusal")")
    }

    @Test func blankLinesAndCRLFAreAccepted() throws {
        let bars = CandleFixtures.bars(count: 3)
        let text = CandleFixtures.klines(bars).replacingOccurrences(of: "\n", with: "\r\n") + "\r\n\n"
        #expect(try CandleCSVParser.parse(Array(text.utf8), name: "f.csv", timeframe: .m5).bars == bars)
    }
}
