import Foundation
import MarketData
import Testing

/// The pipeline on data the user already has: a directory of candle files, or the store as an
/// earlier ingest left it. Its timeline ends where the data ends, and on the same bars it must
/// decide exactly what the live source decides.
@Suite(.serialized)
struct OwnDataCLITests {
    static let symbols = ["SYNA0USDT", "SYNA1USDT", "SYNB0USDT", "SYNB1USDT"]
    /// The files end here; the live run is pinned to the same clock.
    static let end = "2024-07-01"
    static let small = [
        "--symbols", symbols.joined(separator: ","), "--screen-days", "60", "--train-days", "20", "--beta-window",
        "300", "--z-window", "100", "--lag-features", "3", "--holdout-days", "3", "--kinds", "logistic", "--n-splits",
        "3", "--min-train-rows", "100", "--no-guardrails"
    ]

    /// 5m candle files of the synthetic market, one per symbol, in our CSV layout: 1h must be derived.
    static func candleDirectory(days: Int, dropping dropped: (symbol: String, index: Int)? = nil) throws -> String {
        let directory = try CLI.temporaryDirectory()
        let endTime = try #require(UTCTime.parse(end))
        let market = SyntheticMarket(seed: 42, profile: .default)
        for series in try market.series(
            symbols: symbols, timeframe: .m5, from: endTime - Int64(days) * 86_400_000, to: endTime)
        {
            var bars = series.bars
            if let dropped, dropped.symbol == series.symbol { bars.remove(at: dropped.index) }
            try BarCSV.render(bars).write(
                toFile: directory + "/\(series.symbol)_5m.csv", atomically: true, encoding: .utf8)
        }
        return directory
    }

    /// The line that states the windows and the summary's figures, without its timings.
    static func outcome(_ stdout: String) -> (timeline: String?, figures: String?) {
        let lines = stdout.split(separator: "\n").map(String.init)
        let figures = lines.first { $0.hasPrefix("pipeline:") }.map { line in
            line.components(separatedBy: "; model").first ?? line
        }
        return (lines.first { $0.hasPrefix("timeline:") }, figures)
    }

    @Test func filesAndTheStoreDecideWhatTheLiveSourceDecidesOnTheSameBars() throws {
        let files = try Self.candleDirectory(days: 91)
        let live = try CLI.temporaryDirectory(), fromFiles = try CLI.temporaryDirectory()
        let fromStore = try CLI.temporaryDirectory()
        defer { for path in [files, live, fromFiles, fromStore] { try? FileManager.default.removeItem(atPath: path) } }
        func pipeline(_ data: String, _ source: [String]) throws -> CLI.Result {
            try CLI.run(["pipeline"] + source + Self.small + ["--data-dir", data, "--models-dir", data + "/models"])
        }
        let reference = try pipeline(live, ["--now", Self.end])
        #expect(reference.status == 0 || reference.status == 10, "\(reference.stderr.suffix(600))")
        let expected = Self.outcome(reference.stdout)
        #expect(
            expected.timeline?.contains("training 5m 2024-06-11T00:00:00Z to 2024-07-01T00:00:00Z") == true,
            "\(reference.stdout.prefix(800))")

        let viaFiles = try pipeline(fromFiles, ["--source", "files", "--data-from", files])
        #expect(viaFiles.status == reference.status, "\(viaFiles.stderr.suffix(600))")
        #expect(Self.outcome(viaFiles.stdout).timeline == expected.timeline, "\(viaFiles.stdout.prefix(1200))")
        #expect(Self.outcome(viaFiles.stdout).figures == expected.figures, "\(viaFiles.stdout.suffix(1200))")
        #expect(viaFiles.stdout.contains("ingest files 1h+5m:"), "\(viaFiles.stdout.prefix(800))")
        #expect(viaFiles.stdout.contains("all derived from 5m"), "\(viaFiles.stdout.prefix(800))")
        #expect(viaFiles.stdout.contains("4 files (csv)"), "\(viaFiles.stdout.prefix(800))")
        // A rerun on unchanged files redoes nothing.
        let again = try pipeline(fromFiles, ["--source", "files", "--data-from", files])
        #expect(again.status == reference.status)
        #expect(again.stdout.components(separatedBy: "skipped, inputs unchanged").count - 1 == 7, "\(again.stdout)")
        #expect(Self.outcome(again.stdout).figures == expected.figures)

        // The store as `ingest --source files` left it: only 5m, so the pipeline derives the 1h bars.
        let ingest = try CLI.run(["ingest", "--source", "files", "--data-from", files, "--data-dir", fromStore])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stdout.hasPrefix("files 5m: 4 symbols, \(4 * 91 * 288) bars received"), "\(ingest.stdout)")
        let viaStore = try pipeline(fromStore, ["--source", "store"])
        #expect(viaStore.status == reference.status, "\(viaStore.stderr.suffix(600))")
        #expect(viaStore.stdout.contains("derive 1h: 4 symbols"), "\(viaStore.stdout.prefix(800))")
        #expect(Self.outcome(viaStore.stdout).timeline == expected.timeline, "\(viaStore.stdout.prefix(1200))")
        #expect(Self.outcome(viaStore.stdout).figures == expected.figures, "\(viaStore.stdout.suffix(1200))")
    }

    /// An hour with a 5m bar missing is left out of the 1h bars and counted; every other hour is
    /// the exact aggregate of its twelve 5m bars.
    @Test func aPartialHourIsLeftOutAndCounted() throws {
        let files = try Self.candleDirectory(days: 2, dropping: ("SYNA1USDT", 30))
        let data = try CLI.temporaryDirectory()
        defer { for path in [files, data] { try? FileManager.default.removeItem(atPath: path) } }
        let result = try CLI.run([
            "ingest", "--source", "files", "--data-from", files, "--timeframe", "1h", "--data-dir", data
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("all derived from 5m, 1 partial 1h bar left out"), "\(result.stdout)")
        let stored = try CLI.dump(data)
        #expect(stored["SYNA0USDT/1h"]?.count == 48)
        #expect(stored["SYNA1USDT/1h"]?.count == 47)
        let endTime = try #require(UTCTime.parse(Self.end))
        let fine = try SyntheticMarket(seed: 42, profile: .default).series(
            symbols: ["SYNA0USDT"], timeframe: .m5, from: endTime - 2 * 86_400_000, to: endTime)[0].bars
        let hour = Array(fine[12..<24])
        let bar = try #require(stored["SYNA0USDT/1h"]?[1])
        #expect(bar.openTime == hour[0].openTime && bar.open == hour[0].open && bar.close == hour[11].close)
        #expect(bar.high == hour.map(\.high).max() && bar.low == hour.map(\.low).min())
        #expect(bar.volume == hour.dropFirst().reduce(hour[0].volume) { $0 + $1.volume })
    }

    @Test func missingSymbolsAndWindowsBeyondTheDataAreRefusedBeforeTheScreen() throws {
        let files = try Self.candleDirectory(days: 30)
        let data = try CLI.temporaryDirectory()
        defer { for path in [files, data] { try? FileManager.default.removeItem(atPath: path) } }
        let unknown = try CLI.run([
            "pipeline", "--source", "files", "--data-from", files, "--symbols", "SYNA0USDT,NOPEUSDT", "--data-dir", data
        ])
        #expect(unknown.status == 65, "\(unknown.status) \(unknown.stderr)")
        #expect(unknown.stderr.contains("NOPEUSDT has no candle file in \(files)"), "\(unknown.stderr)")
        #expect(try CLI.dump(data).isEmpty)
        // 30 days of candles cannot hold 60 screen days and 20 training days.
        let short = try CLI.run(
            ["pipeline", "--source", "files", "--data-from", files] + Self.small + ["--data-dir", data])
        #expect(short.status == 64, "\(short.status) \(short.stderr)")
        #expect(short.stderr.contains("--screen-days"), "\(short.stderr)")
        #expect(short.stderr.contains("1h bars begin at"), "\(short.stderr)")
        #expect(!short.stdout.contains("screen:"), "\(short.stdout)")
        let noDirectory = try CLI.run(["pipeline", "--source", "files", "--data-dir", data])
        #expect(noDirectory.status == 64 && noDirectory.stderr.contains("--source files needs --data-from DIR"))
    }
}
