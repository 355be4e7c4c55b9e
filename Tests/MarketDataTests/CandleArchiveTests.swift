import Foundation
import TestSupport
import Testing

@testable import MarketData

struct CandleArchiveTests {
    /// January in a monthly archive, the 31st again in a daily one, and February 1st daily only.
    static func layout(_ root: String, daily: [Bar], checksums: Bool = true) throws -> [Bar] {
        let month = CandleFixtures.bars(count: 31 * 288)
        try CandleFixtures.archive(
            CandleFixtures.klines(month), at: root + "/spot/monthly/klines/BTCUSDT/5m/BTCUSDT-5m-2024-01.zip")
        try CandleFixtures.archive(
            CandleFixtures.klines(daily, micro: true),
            at: root + "/spot/daily/klines/BTCUSDT/5m/BTCUSDT-5m-2024-01-31.zip",
            checksum: false)
        return month
    }

    @Test func monthlyAndDailyOverlapIsCountedOnce() throws {
        let root = try temporaryDirectory("archives")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let month = CandleFixtures.bars(count: 31 * 288)
        let next = CandleFixtures.bars(count: 2, from: month.last!.openTime + 300_000, seed: 9)
        let daily = Array(month.suffix(288)) + next
        _ = try Self.layout(root, daily: daily)
        let directory = try CandleDirectory(root: root)
        #expect(directory.files.map(\.format) == [.exchangeArchive, .exchangeArchive])
        #expect(directory.ignored.map { ($0 as NSString).lastPathComponent } == ["BTCUSDT-5m-2024-01.zip.CHECKSUM"])
        let load = try directory.load(symbol: "BTCUSDT", timeframe: .m5)
        #expect(load.bars == month + next)
        #expect(load.received == month.count + daily.count && load.duplicates == 288 && load.unsorted == 0)
        #expect(load.checksumsVerified == 1 && load.checksumsMissing == 1)
    }

    @Test func aConflictBetweenMonthlyAndDailyNamesBothFiles() throws {
        let root = try temporaryDirectory("archives")
        defer { try? FileManager.default.removeItem(atPath: root) }
        var daily = Array(CandleFixtures.bars(count: 31 * 288).suffix(3))
        daily[1].volume += 0.5
        _ = try Self.layout(root, daily: daily)
        let message = CandleFixtures.refusal {
            _ = try CandleDirectory(root: root).load(symbol: "BTCUSDT", timeframe: .m5)
        }
        let dailyCSV = root + "/spot/daily/klines/BTCUSDT/5m/BTCUSDT-5m-2024-01-31.zip/BTCUSDT-5m-2024-01-31.csv:2"
        let monthlyCSV = root + "/spot/monthly/klines/BTCUSDT/5m/BTCUSDT-5m-2024-01.zip/BTCUSDT-5m-2024-01.csv:"
        #expect(message?.contains(dailyCSV) == true, "\(message ?? "none")")
        #expect(message?.contains(monthlyCSV) == true, "\(message ?? "none")")
        #expect(message?.contains("conflicts with") == true)
    }

    @Test func aChecksumMismatchRefusesTheArchiveNamingBothDigests() throws {
        let root = try temporaryDirectory("archives")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = try CandleFixtures.archive(
            CandleFixtures.klines(CandleFixtures.bars(count: 10)), at: root + "/BTCUSDT-5m-2024-01.zip")
        let wrong = String(repeating: "ab", count: 32)
        try "\(wrong)  BTCUSDT-5m-2024-01.zip\n".write(toFile: path + ".CHECKSUM", atomically: true, encoding: .utf8)
        let actual = try Array(Data(contentsOf: URL(fileURLWithPath: path))).withUnsafeBytes {
            try SHA256Digest.hex(of: $0)
        }
        let message = CandleFixtures.refusal {
            _ = try CandleDirectory(root: root).load(symbol: "BTCUSDT", timeframe: .m5)
        }
        #expect(
            message
                == "\(path): checksum mismatch: the file's SHA-256 is \(actual), \(path).CHECKSUM says \(wrong); download the archive again"
        )
    }

    @Test func sha256MatchesAKnownDigest() throws {
        let digest = try Array("abc".utf8).withUnsafeBytes { try SHA256Digest.hex(of: $0) }
        #expect(digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func archivesThatAreNotOneKlineCSVAreRefused() throws {
        let root = try temporaryDirectory("archives")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let csv = CandleFixtures.klines(CandleFixtures.bars(count: 3))
        let two = try CandleFixtures.archive(csv, at: root + "/BTCUSDT-5m-2024-01.zip", extraEntry: "other.csv")
        var message = CandleFixtures.refusal {
            _ = try CandleDirectory(root: root).load(symbol: "BTCUSDT", timeframe: .m5)
        }
        #expect(
            message
                == "\(two): an exchange archive holds one kline CSV; this one holds BTCUSDT-5m-2024-01.csv, other.csv")

        try FileManager.default.removeItem(atPath: two)
        try FileManager.default.removeItem(atPath: two + ".CHECKSUM")
        try CandleFixtures.write("not a zip at all", to: root + "/BTCUSDT-5m-2024-02.zip")
        message = CandleFixtures.refusal { _ = try CandleDirectory(root: root).load(symbol: "BTCUSDT", timeframe: .m5) }
        #expect(
            message?.hasPrefix(root + "/BTCUSDT-5m-2024-02.zip: not a readable zip archive") == true,
            "\(message ?? "none")")
    }

    @Test func anArchiveOfAnotherTimeframeIsRefusedAtItsFirstLine() throws {
        let root = try temporaryDirectory("archives")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let hourly = CandleFixtures.klines(CandleFixtures.bars(count: 3, timeframe: .h1), timeframe: .h1)
        let path = try CandleFixtures.archive(hourly, at: root + "/BTCUSDT-5m-2024-01.zip")
        let message = CandleFixtures.refusal {
            _ = try CandleDirectory(root: root).load(symbol: "BTCUSDT", timeframe: .m5)
        }
        #expect(
            message?.hasPrefix("\(path)/BTCUSDT-5m-2024-01.csv:1: column 'close_time'") == true, "\(message ?? "none")")
        #expect(message?.contains("a 1h bar, not a 5m bar") == true)
    }
}
