import Foundation
import Store

/// CSV import and export of one symbol's bars.
///
/// Import: a header row naming the columns (any order, case-insensitive): a time column
/// (`open_time`, `timestamp`, `time`, `date` or `datetime`; epoch milliseconds or ISO-8601 UTC) and
/// `open`, `high`, `low`, `close`, `volume`; other columns are ignored. The first bad row rejects the
/// whole file with its line number and column.
public enum BarCSV {
    static let timeColumns = ["open_time", "timestamp", "time", "date", "datetime"]
    static let valueColumns = ["open", "high", "low", "close", "volume"]

    public static func read(path: String, timeframe: Timeframe) throws -> [Bar] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw MarketDataError.invalidData("cannot read CSV '\(path)': \(DataStore.reason(error))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MarketDataError.invalidData("\(path): not UTF-8 text")
        }
        return try parse(text, name: path, timeframe: timeframe)
    }

    public static func parse(_ text: String, name: String, timeframe: Timeframe) throws -> [Bar] {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .enumerated().makeIterator()
        func fields(_ line: Substring) -> [String] {
            line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: CharacterSet.whitespaces.union(CharacterSet(charactersIn: "\"\r")))
            }
        }
        guard let (_, headerLine) = lines.next(), !headerLine.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw MarketDataError.invalidData(
                "\(name):1: empty file; expected a header row such as open_time,open,high,low,close,volume")
        }
        let header = fields(headerLine).map { $0.lowercased().replacingOccurrences(of: "\u{FEFF}", with: "") }
        guard let timeIndex = timeColumns.lazy.compactMap({ header.firstIndex(of: $0) }).first else {
            throw MarketDataError.invalidData(
                "\(name):1: no time column; name one of \(timeColumns.joined(separator: ", "))")
        }
        let valueIndices = try valueColumns.map { column -> Int in
            guard let index = header.firstIndex(of: column) else {
                throw MarketDataError.invalidData(
                    "\(name):1: missing column '\(column)'; required: \(valueColumns.joined(separator: ", "))")
            }
            return index
        }
        let timeName = header[timeIndex]
        var bars: [Bar] = []
        while let (offset, line) = lines.next() {
            let lineNumber = offset + 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let row = fields(line)
            guard row.count == header.count else {
                throw MarketDataError.invalidData(
                    "\(name):\(lineNumber): \(row.count) fields, the header has \(header.count)")
            }
            guard let openTime = UTCTime.parse(row[timeIndex]) else {
                throw MarketDataError.invalidData(
                    "\(name):\(lineNumber): column '\(timeName)': '\(row[timeIndex])' is neither epoch milliseconds nor an ISO-8601 time"
                )
            }
            guard openTime % timeframe.milliseconds == 0 else {
                throw MarketDataError.invalidData(
                    "\(name):\(lineNumber): column '\(timeName)': \(UTCTime.format(openTime)) is not the open of a \(timeframe) bar (times are bar open times in UTC milliseconds)"
                )
            }
            var values = [Double](repeating: 0, count: 5)
            for (slot, index) in valueIndices.enumerated() {
                guard let value = Double(row[index]), value.isFinite else {
                    throw MarketDataError.invalidData(
                        "\(name):\(lineNumber): column '\(valueColumns[slot])': '\(row[index])' is not a number")
                }
                values[slot] = value
            }
            let bar = Bar(
                openTime: openTime, open: values[0], high: values[1], low: values[2], close: values[3],
                volume: values[4])
            if let defect = bar.defect {
                throw MarketDataError.invalidData("\(name):\(lineNumber): \(defect)")
            }
            bars.append(bar)
        }
        return bars
    }

    /// `open_time` in epoch ms first (what import reads back exactly), a readable UTC time last.
    /// Doubles print in their shortest round-trip form, so export → import is lossless.
    public static func render(_ bars: [Bar]) -> String {
        var text = "open_time,open,high,low,close,volume,open_time_utc\n"
        text.reserveCapacity(bars.count * 96)
        for bar in bars {
            text +=
                "\(bar.openTime),\(bar.open),\(bar.high),\(bar.low),\(bar.close),\(bar.volume),\(UTCTime.format(bar.openTime))\n"
        }
        return text
    }
}
