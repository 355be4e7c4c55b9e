import Foundation

/// The byte parser behind both CSV layouts: our own (a header naming the columns, `BarCSV`) and the
/// exchange's kline layout (12 columns, usually headerless). It walks the bytes once, splitting on
/// `,` and `\n` itself and parsing numbers in place (`CandleNumbers`), because building Strings per
/// field cost about 170 µs a row. The first bad row refuses the whole file, naming its line.
enum CandleCSVParser {
    enum Column: UInt8 { case ignored, time, open, high, low, close, volume, closeTime }

    static let timeColumns = ["open_time", "timestamp", "time", "date", "datetime"]
    static let valueColumns = ["open", "high", "low", "close", "volume"]
    static let exchangeColumns = [
        "open_time", "open", "high", "low", "close", "volume", "close_time", "quote_volume", "count",
        "taker_buy_volume", "taker_buy_quote_volume", "ignore"
    ]

    struct Layout {
        var format: CandleFormat
        var hasHeader: Bool
        var names: [String]
        var columns: [Column]
    }

    /// The layout a file's first bytes announce, for reporting a directory's files before reading
    /// them: a first line starting with a digit is the exchange's headerless layout; a header that
    /// names `close_time` is the exchange's too.
    static func format(ofHead head: [UInt8]) -> CandleFormat {
        var start = 0
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        let end = head[start...].firstIndex(of: UInt8(ascii: "\n")) ?? head.endIndex
        let line = head[start..<end]
        guard let first = line.first(where: { $0 != 32 && $0 != 9 && $0 != 34 }) else { return .csv }
        if first &- 48 < 10 { return .exchangeCSV }
        let names = String(decoding: line, as: UTF8.self).lowercased().split(separator: ",").map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"\r"))
        }
        return names.contains("close_time") ? .exchangeCSV : .csv
    }

    /// Parses `bytes` (a trailing NUL is added when missing) into rows in the file's order.
    /// `timeframe` is the bars' length: open times must lie on its grid and an exchange file's
    /// `close_time` must close a bar of that length.
    static func parse(_ bytes: [UInt8], name: String, timeframe: Timeframe) throws -> CandleRows {
        var terminated = bytes
        if terminated.last != 0 { terminated.append(0) }
        return try terminated.withUnsafeBufferPointer { buffer in
            try parse(buffer.baseAddress!, count: buffer.count - 1, name: name, timeframe: timeframe)
        }
    }

    // One function on purpose: the row loop keeps its state in locals, which the optimiser holds
    // in registers; helpers it calls are inlined or off the hot path (errors, ISO times, strtod).
    private static func parse(
        _ base: UnsafePointer<UInt8>, count end: Int, name: String, timeframe: Timeframe
    ) throws -> CandleRows {
        var lineStart = 0
        if end >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF { lineStart = 3 }
        let firstEnd = lineEnd(base, from: lineStart, end: end)
        guard contentEnd(base, lineStart, firstEnd) > lineStart else {
            throw MarketDataError.invalidData(
                "\(name):1: empty file; expected a header row such as open_time,open,high,low,close,volume"
                    + " or the exchange's headerless kline rows")
        }
        let layout = try self.layout(base, lineStart, contentEnd(base, lineStart, firstEnd), name: name)
        var rows = CandleRows(format: layout.format, name: name, capacity: end / 48 + 1)
        let columns = layout.columns
        let columnCount = columns.count
        let step = timeframe.milliseconds
        let hasCloseTime = columns.contains(.closeTime)
        var line = 1
        var position = lineStart
        if layout.hasHeader {
            position = firstEnd + 1
            line = 2
        }
        let powers = UnsafeMutablePointer<Double>.allocate(capacity: CandleNumbers.powersOfTen.count)
        defer { powers.deallocate() }
        _ = UnsafeMutableBufferPointer(start: powers, count: CandleNumbers.powersOfTen.count)
            .initialize(from: CandleNumbers.powersOfTen)

        while position < end {
            let rowEnd = lineEnd(base, from: position, end: end)
            let last = contentEnd(base, position, rowEnd)
            defer {
                position = rowEnd + 1
                line += 1
            }
            if last == position { continue }
            var openTime: Int64 = 0
            var closeTime: Int64 = 0
            var open = 0.0, high = 0.0, low = 0.0, close = 0.0, volume = 0.0
            var field = 0
            var fieldStart = position
            while true {
                var fieldEnd = fieldStart
                while fieldEnd < last, base[fieldEnd] != 44 { fieldEnd += 1 }
                if field < columnCount, columns[field] != .ignored {
                    var start = fieldStart, stop = fieldEnd
                    while start < stop, isPadding(base[start]) { start += 1 }
                    while stop > start, isPadding(base[stop - 1]) { stop -= 1 }
                    let column = columns[field]
                    switch column {
                    case .time:
                        openTime = try self.openTime(
                            base, start, stop, step: step, row: (position, last), line: line, field: field,
                            layout: layout, name: name, timeframe: timeframe)
                    case .closeTime:
                        guard let value = CandleNumbers.integer(base, start, stop) else {
                            throw failure(
                                base, row: (position, last), line: line, layout: layout, name: name,
                                "column '\(layout.names[field])': '\(CandleNumbers.text(base, start, stop))' is not epoch milliseconds or microseconds"
                            )
                        }
                        closeTime = value
                    default:
                        guard let value = CandleNumbers.double(base, start, stop, powers: powers), value.isFinite
                        else {
                            throw failure(
                                base, row: (position, last), line: line, layout: layout, name: name,
                                "column '\(layout.names[field])': '\(CandleNumbers.text(base, start, stop))' is not a number"
                            )
                        }
                        switch column {
                        case .open: open = value
                        case .high: high = value
                        case .low: low = value
                        case .close: close = value
                        default: volume = value
                        }
                    }
                }
                field += 1
                if fieldEnd >= last { break }
                fieldStart = fieldEnd + 1
            }
            guard field == columnCount else {
                throw failure(base, row: (position, last), line: line, layout: layout, name: name, "")
            }
            if hasCloseTime {
                try checkClose(
                    openTime: openTime, closeTime: closeTime, timeframe: timeframe, line: line, name: name)
            }
            let bar = Bar(openTime: openTime, open: open, high: high, low: low, close: close, volume: volume)
            guard CandleNumbers.isSound(open: open, high: high, low: low, close: close, volume: volume) else {
                throw MarketDataError.invalidData("\(name):\(line): \(bar.defect ?? "not a sound bar")")
            }
            rows.append(bar, at: line)
        }
        return rows
    }

    @inline(__always)
    static func isPadding(_ byte: UInt8) -> Bool { byte == 32 || byte == 34 || byte == 9 || byte == 13 }

    @inline(__always)
    static func lineEnd(_ base: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        guard start < end, let found = memchr(base + start, 10, end - start) else { return end }
        return UnsafeRawPointer(found) - UnsafeRawPointer(base)
    }

    /// The line's end without trailing white space and `\r`; the line's start when it is blank.
    @inline(__always)
    static func contentEnd(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var stop = end
        while stop > start, base[stop - 1] == 13 || base[stop - 1] == 32 || base[stop - 1] == 9 { stop -= 1 }
        return stop
    }

    private static func layout(
        _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, name: String
    ) throws -> Layout {
        var first = start
        while first < end, isPadding(base[first]) { first += 1 }
        if base[first] &- 48 < 10 {
            var columns = [Column](repeating: .ignored, count: exchangeColumns.count)
            columns[0] = .time
            columns[1] = .open
            columns[2] = .high
            columns[3] = .low
            columns[4] = .close
            columns[5] = .volume
            columns[6] = .closeTime
            return Layout(format: .exchangeCSV, hasHeader: false, names: exchangeColumns, columns: columns)
        }
        let header = CandleNumbers.text(base, start, end).split(separator: ",", omittingEmptySubsequences: false)
            .map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"\r\u{FEFF}")).lowercased()
            }
        guard let timeIndex = timeColumns.lazy.compactMap({ header.firstIndex(of: $0) }).first else {
            throw MarketDataError.invalidData(
                "\(name):1: no time column; name one of \(timeColumns.joined(separator: ", "))"
                    + " (header read: \(header.joined(separator: ",")))")
        }
        var columns = [Column](repeating: .ignored, count: header.count)
        columns[timeIndex] = .time
        for (column, role) in zip(valueColumns, [Column.open, .high, .low, .close, .volume]) {
            guard let index = header.firstIndex(of: column) else {
                throw MarketDataError.invalidData(
                    "\(name):1: missing column '\(column)'; required: \(valueColumns.joined(separator: ", "))")
            }
            columns[index] = role
        }
        var format = CandleFormat.csv
        if let index = header.firstIndex(of: "close_time"), columns[index] == .ignored {
            columns[index] = .closeTime
            format = .exchangeCSV
        }
        return Layout(format: format, hasHeader: true, names: header, columns: columns)
    }

    private static func openTime(
        _ base: UnsafePointer<UInt8>, _ start: Int, _ stop: Int, step: Int64, row: (Int, Int), line: Int,
        field: Int, layout: Layout, name: String, timeframe: Timeframe
    ) throws -> Int64 {
        var time: Int64
        if let integer = CandleNumbers.integer(base, start, stop) {
            time = integer
        } else if let parsed = UTCTime.parse(CandleNumbers.text(base, start, stop)) {
            time = parsed
        } else {
            throw failure(
                base, row: row, line: line, layout: layout, name: name,
                "column '\(layout.names[field])': '\(CandleNumbers.text(base, start, stop))' is neither epoch milliseconds (or microseconds) nor an ISO-8601 time"
            )
        }
        if time > CandleNumbers.microsecondThreshold {
            guard time % 1000 == 0 else {
                throw MarketDataError.invalidData(
                    "\(name):\(line): column '\(layout.names[field])': \(time) µs is not a whole millisecond, so not a bar's open"
                )
            }
            time /= 1000
        }
        guard time % step == 0 else {
            throw MarketDataError.invalidData(
                "\(name):\(line): column '\(layout.names[field])': \(UTCTime.format(time)) is not the open of a \(timeframe) bar (times are bar open times in UTC milliseconds)"
            )
        }
        return time
    }

    /// The exchange writes a bar's last millisecond (or microsecond) as its close, so the close
    /// says the bar's length: a file of other bars than its name says is refused, not re-gridded.
    private static func checkClose(
        openTime: Int64, closeTime: Int64, timeframe: Timeframe, line: Int, name: String
    ) throws {
        let closeMicros = closeTime > CandleNumbers.microsecondThreshold ? closeTime : closeTime &* 1000 &+ 999
        let micros = closeMicros &+ 1 &- openTime &* 1000
        guard micros != timeframe.milliseconds * 1000 else { return }
        let length =
            Timeframe.allCases.first { $0.milliseconds * 1000 == micros }.map { "a \($0) bar" }
            ?? "\(Double(micros) / 1000) ms long"
        throw MarketDataError.invalidData(
            "\(name):\(line): column 'close_time': the bar opening at \(UTCTime.format(openTime)) closes at \(closeTime), which makes it \(length), not a \(timeframe) bar (a file holds bars of one timeframe)"
        )
    }

    /// A row's refusal; a row with the wrong number of fields is refused for that first, since its
    /// values are then read from the wrong columns.
    private static func failure(
        _ base: UnsafePointer<UInt8>, row: (start: Int, end: Int), line: Int, layout: Layout, name: String,
        _ problem: String
    ) -> MarketDataError {
        var fields = 1
        for index in row.start..<row.end where base[index] == 44 { fields += 1 }
        if fields != layout.columns.count {
            let expected =
                layout.hasHeader
                ? "the header has \(layout.columns.count)"
                : "the exchange's kline layout has \(layout.columns.count) (\(exchangeColumns.joined(separator: ","))); a file of our own layout needs a header row open_time,open,high,low,close,volume"
            return .invalidData("\(name):\(line): \(fields) fields, \(expected)")
        }
        return .invalidData("\(name):\(line): \(problem)")
    }
}
