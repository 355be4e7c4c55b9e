import Foundation
import TestSupport

@testable import MarketData

/// Candle files written by the tests themselves (no binary fixtures in the repository).
enum CandleFixtures {
    static let january: Int64 = 1_704_067_200_000 // 2024-01-01T00:00:00Z

    /// Sound bars on the grid of `timeframe`, prices a random walk.
    static func bars(count: Int, from start: Int64 = january, timeframe: Timeframe = .m5, seed: UInt64 = 1) -> [Bar] {
        var random = SeededRandom(seed: seed)
        var price = 42_000.0
        return (0..<count).map { index in
            let open = price
            let close = (open * (1 + 0.002 * random.normal()) * 100).rounded() / 100
            price = close
            let high = max(open, close) + (random.uniform() * 1000).rounded() / 100
            let low = min(open, close) - (random.uniform() * 1000).rounded() / 100
            let volume = (random.uniform() * 1_000_000).rounded() / 10_000
            return Bar(
                openTime: start + Int64(index) * timeframe.milliseconds, open: open, high: high, low: low, close: close,
                volume: volume)
        }
    }

    /// The exchange's 12-column kline rows; `micro` writes both times in microseconds, as its
    /// files from 2025 on do.
    static func klines(_ bars: [Bar], timeframe: Timeframe = .m5, micro: Bool = false, header: Bool = false) -> String {
        var text = header ? CandleCSVParser.exchangeColumns.joined(separator: ",") + "\n" : ""
        for bar in bars {
            let close = bar.openTime + timeframe.milliseconds - 1
            let (openTime, closeTime) = micro ? (bar.openTime * 1000, close * 1000 + 999) : (bar.openTime, close)
            text +=
                "\(openTime),\(bar.open),\(bar.high),\(bar.low),\(bar.close),\(bar.volume),\(closeTime),\(bar.volume * bar.close),42,\(bar.volume / 2),\(bar.volume * bar.close / 2),0\n"
        }
        return text
    }

    static func freqtradeJSON(_ bars: [Bar]) -> String {
        "["
            + bars.map { "[\($0.openTime),\($0.open),\($0.high),\($0.low),\($0.close),\($0.volume)]" }.joined(
                separator: ",")
            + "]"
    }

    @discardableResult
    static func write(_ text: String, to path: String) throws -> String {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// An exchange archive holding `csv` as `entry`, with its `.CHECKSUM` unless `checksum` is false.
    @discardableResult
    static func archive(
        _ csv: String, at path: String, entry: String? = nil, checksum: Bool = true, extraEntry: String? = nil
    ) throws -> String {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let name = (path as NSString).lastPathComponent
        let writer = try ZipWriter(path: path)
        try writer.add(name: entry ?? String(name.dropLast(4)) + ".csv", bytes: Array(csv.utf8))
        if let extraEntry { try writer.add(name: extraEntry, bytes: Array(csv.utf8)) }
        try writer.close()
        if checksum {
            let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
            let digest = try bytes.withUnsafeBytes { try SHA256Digest.hex(of: $0) }
            try "\(digest)  \(name)\n".write(toFile: path + ".CHECKSUM", atomically: true, encoding: .utf8)
        }
        return path
    }

    /// The refusal's message, or nil when `body` did not throw.
    static func refusal(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }
}
