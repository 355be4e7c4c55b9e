import Foundation

/// freqtrade's JSON candles (`BTC_USDT-5m.json`): one array of `[ms, open, high, low, close,
/// volume]` arrays, as freqtrade writes with `--data-format-ohlcv json`. Walked on bytes with the
/// CSV parser's number reading, since such files hold years of 1m bars.
enum FreqtradeCandles {
    static func read(path: String, timeframe: Timeframe) throws -> CandleRows {
        try parse(try CandleBytes.read(path: path), name: path, timeframe: timeframe)
    }

    static func parse(_ bytes: [UInt8], name: String, timeframe: Timeframe) throws -> CandleRows {
        var terminated = bytes
        if terminated.last != 0 { terminated.append(0) }
        return try terminated.withUnsafeBufferPointer { buffer in
            var reader = Reader(base: buffer.baseAddress!, end: buffer.count - 1, name: name)
            return try reader.candles(timeframe: timeframe)
        }
    }

    private struct Reader {
        let base: UnsafePointer<UInt8>
        let end: Int
        let name: String
        var index = 0
        var line = 1
        var candle = 0

        init(base: UnsafePointer<UInt8>, end: Int, name: String) {
            self.base = base
            self.end = end
            self.name = name
            if end >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF { index = 3 }
        }

        mutating func candles(timeframe: Timeframe) throws -> CandleRows {
            var rows = CandleRows(format: .freqtradeJSON, name: name, position: .candle, capacity: end / 64 + 1)
            let powers = CandleNumbers.powersOfTen
            let step = timeframe.milliseconds
            try powers.withUnsafeBufferPointer { powers in
                let powers = powers.baseAddress!
                skipSpace()
                guard index < end else {
                    throw failure("empty file; expected freqtrade's [[ms, open, high, low, close, volume], …]")
                }
                try expect(
                    UInt8(ascii: "["),
                    "freqtrade's candles are one JSON array of [ms, open, high, low, close, volume] arrays")
                skipSpace()
                if peek() == UInt8(ascii: "]") {
                    index += 1
                } else {
                    while true {
                        candle += 1
                        skipSpace()
                        try expect(UInt8(ascii: "["), "expected a candle [ms, open, high, low, close, volume]")
                        var time = try integer()
                        if time > CandleNumbers.microsecondThreshold, time % 1000 == 0 { time /= 1000 }
                        guard time % step == 0 else {
                            throw failure(
                                "\(UTCTime.format(time)) is not the open of a \(timeframe) bar (times are bar open times in UTC milliseconds)"
                            )
                        }
                        var values = (0.0, 0.0, 0.0, 0.0, 0.0)
                        for slot in 0..<5 {
                            try expect(UInt8(ascii: ","), "a candle has 6 values: ms, open, high, low, close, volume")
                            let value = try number(slot: slot, powers: powers)
                            switch slot {
                            case 0: values.0 = value
                            case 1: values.1 = value
                            case 2: values.2 = value
                            case 3: values.3 = value
                            default: values.4 = value
                            }
                        }
                        try expect(UInt8(ascii: "]"), "a candle has 6 values: ms, open, high, low, close, volume")
                        let bar = Bar(
                            openTime: time, open: values.0, high: values.1, low: values.2, close: values.3,
                            volume: values.4)
                        guard
                            CandleNumbers.isSound(
                                open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume)
                        else { throw failure(bar.defect ?? "not a sound bar") }
                        rows.append(bar, at: candle)
                        skipSpace()
                        if peek() == UInt8(ascii: ",") {
                            index += 1
                            continue
                        }
                        try expect(UInt8(ascii: "]"), "expected ',' or the array's closing ']'")
                        break
                    }
                }
                skipSpace()
                guard index >= end else {
                    throw MarketDataError.invalidData("\(name):\(line): text after the candles' array")
                }
            }
            return rows
        }

        @inline(__always)
        func peek() -> UInt8 { index < end ? base[index] : 0 }

        @inline(__always)
        mutating func skipSpace() {
            while index < end {
                let byte = base[index]
                if byte == 10 {
                    line += 1
                } else if byte != 32 && byte != 9 && byte != 13 {
                    return
                }
                index += 1
            }
        }

        mutating func expect(_ byte: UInt8, _ problem: String) throws {
            skipSpace()
            guard peek() == byte else {
                let found = index < end ? "'\(String(decoding: [base[index]], as: UTF8.self))'" : "the end of the file"
                throw failure("\(problem); found \(found)")
            }
            index += 1
        }

        /// The bytes of one JSON number token, white space skipped before it.
        mutating func token() -> (Int, Int) {
            skipSpace()
            let start = index
            while index < end {
                let byte = base[index]
                guard byte &- 48 < 10 || byte == 46 || byte == 45 || byte == 43 || byte == 101 || byte == 69 else {
                    break
                }
                index += 1
            }
            return (start, index)
        }

        mutating func integer() throws -> Int64 {
            let (start, stop) = token()
            guard let value = CandleNumbers.integer(base, start, stop) else {
                throw failure("the open time '\(shown(start, stop))' is not epoch milliseconds")
            }
            return value
        }

        mutating func number(slot: Int, powers: UnsafePointer<Double>) throws -> Double {
            let (start, stop) = token()
            guard let value = CandleNumbers.double(base, start, stop, powers: powers), value.isFinite else {
                let column = CandleCSVParser.valueColumns[slot]
                throw failure("\(column) '\(shown(start, stop))' is not a number")
            }
            return value
        }

        /// The token, or what stands where it should (`null`, a string), for the message.
        func shown(_ start: Int, _ stop: Int) -> String {
            if stop > start { return CandleNumbers.text(base, start, stop) }
            var last = start
            while last < end, last - start < 12, base[last] != 44, base[last] != 93 { last += 1 }
            return CandleNumbers.text(base, start, last)
        }

        func failure(_ problem: String) -> MarketDataError {
            .invalidData("\(name):\(line): candle \(max(candle, 1)): \(problem)")
        }
    }
}
