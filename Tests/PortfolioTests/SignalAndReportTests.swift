import Foundation
import TrainingRecords
import CLISupport
import MarketData
import ModelFormat
@testable import Portfolio
import Store
import TestSupport
import Testing
import Backtest
import Basics

@Suite struct SignalStoreTests {
    @Test func aRerunInsertsNothingAndLeavesTheJSONLByteIdentical() throws {
        let directory = try temporaryDirectory("inference")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let locations = Locations(dataDirectory: directory, modelsDirectory: directory)
        let store = try locations.openStore()
        let day: Int64 = 1_717_200_000_000 // 2024-06-01T00:00Z
        let records = [
            signal("AUSDT", "BUSDT", proba: 0.7, time: day + 300_000),
            signal("CUSDT", "DUSDT", proba: 0.4, signal: 0, time: day + 300_000),
            signal("AUSDT", "BUSDT", proba: 0.6, time: day - 300_000)
        ]
        #expect(try store.write { try SignalRecords.insert(records, in: $0) } == 3)
        let files = try SignalFiles.rewrite(days: Set(records.map(\.day)), store: store, locations: locations)
        #expect(
            files.map { ($0 as NSString).lastPathComponent } == ["signals_2024-05-31.jsonl", "signals_2024-06-01.jsonl"]
        )
        let before = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        // The same bars again, scored later and with other values: the first answer stands.
        var again = records
        for index in again.indices {
            again[index].scoredAt += 1000
            again[index].proba = 0.99
        }
        #expect(try store.write { try SignalRecords.insert(again, in: $0) } == 0)
        try SignalFiles.rewrite(days: Set(records.map(\.day)), store: store, locations: locations)
        #expect(try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == before)
        let lines = String(decoding: before[1], as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(
            first["pair"] as? String == "AUSDT__BUSDT" && first["proba"] as? Double == 0.7
                && first["model_version"] as? Int == 1)
        // A new model version scores the same bar anew.
        #expect(
            try store.write {
                try SignalRecords.insert(
                    [signal("AUSDT", "BUSDT", proba: 0.5, time: day + 300_000, version: 2)], in: $0)
            } == 1)
    }

    @Test func theLatestSignalsAreThoseOfTheNewestBarAndStalePairsAreNamed() throws {
        let directory = try temporaryDirectory("inference")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try DataStore(dataDirectory: directory, schemas: [.marketData, .portfolio])
        let t: Int64 = 1_717_200_000_000
        _ = try store.write { db in
            try SignalRecords.insert(
                [
                    signal("AUSDT", "BUSDT", proba: 0.7, time: t),
                    signal("AUSDT", "BUSDT", proba: 0.8, time: t + 300_000),
                    signal("CUSDT", "DUSDT", proba: 0.9, time: t)
                ], in: db)
        }
        let latest = try #require(try SignalRecords.latest(store: store))
        #expect(latest.asOf == t + 300_000)
        #expect(latest.signals.map(\.pair) == ["AUSDT__BUSDT"] && latest.signals[0].proba == 0.8)
        #expect(latest.stale == ["CUSDT__DUSDT"])
        // The order book names the stale pair among the skipped, with why.
        let book = Aggregator.aggregate(
            latest.signals, asOf: latest.asOf, parameters: AggregationParameters(), stale: latest.stale)
        let skipped = try #require(book.skipped.first { $0.pair == "CUSDT__DUSDT" })
        #expect(skipped.reason.hasPrefix("stale: no signal at this bar"))
    }

    /// After an alias rollback within one bar, "latest" is the version the newest cycle was served
    /// (its /metadata), not the rolled-back one that scored that bar last.
    @Test func theLatestSignalsAreThoseOfTheServedVersion() throws {
        let directory = try temporaryDirectory("inference")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let locations = Locations(dataDirectory: directory, modelsDirectory: directory)
        let store = try locations.openStore()
        let t: Int64 = 1_717_200_000_000
        var first = signal("AUSDT", "BUSDT", proba: 0.7, time: t, version: 1),
            promoted = signal("AUSDT", "BUSDT", proba: 0.9, time: t, version: 2)
        first.scoredAt = 1_000
        promoted.scoredAt = 2_000
        _ = try store.write { db in try SignalRecords.insert([first, promoted], in: db) }
        // No cycle's metadata: the newest scored.
        #expect(try SignalRecords.latestServed(store: store, locations: locations)?.signals.map(\.modelVersion) == [2])
        func served(_ version: Int) throws {
            let model = ModelMetadata(
                name: "router", version: version, featureColumns: [],
                featureParameters: .init(
                    timeframe: "5m", betaWindow: 100, zWindow: 50, lagFeatures: 0, labelType: "z_threshold",
                    zscoreThreshold: 1, horizon: 3), pairs: [])
            try FileManager.default.createDirectory(atPath: directory + "/signals", withIntermediateDirectories: true)
            try model.encoded().write(to: URL(fileURLWithPath: SignalFiles.latestMetadataPath(locations)))
        }
        try served(1)
        let latest = try #require(try SignalRecords.latestServed(store: store, locations: locations))
        #expect(latest.signals.map(\.modelVersion) == [1] && latest.signals[0].proba == 0.7)
        // A version named by hand wins.
        #expect(
            try SignalRecords.latestServed(modelVersion: 2, store: store, locations: locations)?.signals.map(
                \.modelVersion) == [2])
        try served(2)
        #expect(try SignalRecords.latestServed(store: store, locations: locations)?.signals.map(\.modelVersion) == [2])
    }
}

@Suite struct LockTests {
    @Test func aSecondCycleIsTurnedAwayWhileTheFirstHoldsTheLock() throws {
        let directory = try temporaryDirectory("inference")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let locations = Locations(dataDirectory: directory, modelsDirectory: directory)
        let first = CycleLock(locations: locations)
        try first.acquire()
        let second = CycleLock(locations: locations)
        #expect {
            try second.acquire()
        } throws: { error in
            guard let error = error as? CycleLock.Busy else { return false }
            return error.description == "lock \(directory)/infer.lock is held by pid \(getpid())"
        }
        // A waiting acquire gives up at its deadline, and gets the lock once it is released (here by
        // another holder of the same file, as another process would).
        #expect(throws: CycleLock.Busy.self) { try second.acquire(waitingUpTo: 0.2) }
        first.release()
        let other = open(first.path, O_RDWR)
        #expect(flock(other, LOCK_EX | LOCK_NB) == 0)
        Thread {
            Thread.sleep(forTimeInterval: 0.2)
            close(other)
        }.start()
        try second.acquire(waitingUpTo: 10)
        second.release()
    }
}

@Suite struct ReportTests {
    func sampleData(synthetic: Bool) -> ReportData {
        let t: Int64 = 1_717_200_000_000
        let signals = [
            signal("AUSDT", "BUSDT", proba: 0.8, time: t), signal("C<USDT", "DUSDT", proba: 0.6, signal: -1, time: t)
        ]
        var parameters = AggregationParameters()
        parameters.maxSymbolWeight = 1
        let book = Aggregator.aggregate(signals, asOf: t, parameters: parameters)
        let equity = (0..<50).map {
            EquityPoint(time: t - Int64(50 - $0) * 300_000, equity: 1 + 0.001 * Double($0 % 7) - 0.0005 * Double($0))
        }
        let model = ModelMetadata(
            name: "mntrading_router", version: 1, modelUri: "models:/mntrading_router@champion", trainingRun: "run1",
            featureColumns: ["z"],
            featureParameters: .init(
                timeframe: "5m", betaWindow: 200, zWindow: 60, lagFeatures: 0,
                labelType: "z_threshold", zscoreThreshold: 1.2, horizon: 3),
            pairs: [
                .init(
                    pair: "AUSDT__BUSDT", legs: ["AUSDT", "BUSDT"], threshold: 0.55, kind: "gbdt",
                    trainingWindow: ["2024-05-01T00:00:00Z", "2024-05-30T00:00:00Z"],
                    metrics: .init(oofRocAuc: 0.61, sharpe: 1.3))
            ])
        return ReportData(
            asOf: t, dataSource: synthetic ? "synthetic" : "exchange", model: model, signals: signals, staleSignals: [],
            book: book, trainingRun: "run1",
            pairBacktests: [.init(pair: "AUSDT__BUSDT", result: nil, equity: equity, returns: ([], []))],
            portfolioEquity: equity, portfolioResult: nil)
    }

    @Test func theHTMLIsSelfContainedEscapedAndLabelsSyntheticData() {
        let html = ReportRenderer.html(sampleData(synthetic: true))
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("</html>"))
        // exposures, equity, drawdown, pair equity, pair drawdown
        #expect(html.components(separatedBy: "<svg").count - 1 == 5)
        #expect(html.contains("Synthetic data"))
        #expect(!html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http"))
        #expect(html.contains("C&lt;USDT__DUSDT") && !html.contains("C<USDT"))
        #expect(html.contains("2024-05-01T00:00:00Z → 2024-05-30T00:00:00Z"))
        #expect(!ReportRenderer.html(sampleData(synthetic: false)).contains("Synthetic data"))
        let markdown = ReportRenderer.markdown(sampleData(synthetic: true))
        #expect(markdown.contains("| AUSDT__BUSDT |") && markdown.contains("**Synthetic data.**"))
    }

    @Test func theSummaryAddsUpToTheOrderBook() throws {
        let data = sampleData(synthetic: true)
        let summary = data.summary
        let book = try #require(data.book)
        #expect(summary.signals.long == 1 && summary.signals.short == 1 && summary.signals.flat == 0)
        #expect(summary.orders?.pairs == 2)
        #expect(abs((summary.orders?.legsGross ?? 0) - book.orders.reduce(0) { $0 + $1.notional }) < 1e-9)
        #expect(summary.trainingWindow == ["2024-05-01T00:00:00Z", "2024-05-30T00:00:00Z"])
    }

    @Test func rewritingAReportReplacesItWhole() throws {
        let directory = try temporaryDirectory("inference")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let locations = Locations(dataDirectory: directory, modelsDirectory: directory)
        let path = try ReportWriter.write(sampleData(synthetic: true), locations: locations)
        try "stray".write(toFile: path + "/stray.txt", atomically: true, encoding: .utf8)
        #expect(try ReportWriter.write(sampleData(synthetic: false), locations: locations) == path)
        let files = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        #expect(files == ["report.html", "report.md", "summary.json"])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory + "/portfolio").filter { $0.hasPrefix(".") }
                .isEmpty)
    }

    /// The report's portfolio is training's: equal weight per bar over the stored out-of-fold
    /// returns, with its figures over every bar, so a one-bar dip that a sampled curve steps over
    /// is in the drawdown. A run that stored no per-bar returns gets no portfolio figures.
    @Test func portfolioFiguresComeFromEveryBarsReturns() throws {
        let directory = try temporaryDirectory("inference")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let locations = Locations(dataDirectory: directory, modelsDirectory: directory)
        let store = try locations.openStore()
        let t: Int64 = 1_717_200_000_000
        let times = (0..<1_000).map { t - Int64(1_000 - $0) * 300_000 }
        // Pair A drifts up, loses 20 % on one bar the stored curve does not keep, and wins it back on the next.
        let stride = (times.count + 399) / 400
        let dip = 500 + (stride - 500 % stride) - 1
        let dipping = times.indices.map { $0 == dip ? -0.2 : $0 == dip + 1 ? 0.25 : 0.0002 }
        let flat = times.map { _ in 0.0 }
        #expect(!Backtest.equityCurve(times: times, returns: dipping).contains { $0.time == times[dip] })
        // Stored as the trainer stores a run, through the training tables' owner.
        try store.write { db in
            try TrainingRunRecords.begin(
                db, runId: "run1", createdAt: 1, datasetId: "d", settings: TrainingSettings(), codeVersion: "test",
                pairs: 2, holdoutStart: nil)
            for (pair, returns) in [("AUSDT__BUSDT", dipping), ("CUSDT__DUSDT", flat)] {
                var result = PairTrainingResult(pair: pair, status: "trained")
                result.equity = Backtest.equityCurve(times: times, returns: returns)
                result.oofReturnTimes = times
                result.oofReturns = returns
                try TrainingRunRecords.savePair(db, runId: "run1", result)
            }
            try TrainingRunRecords.finish(
                db, runId: "run1", complete: true, window: [], trained: 2, reportFile: "", report: "{}", trials: 2,
                pbo: nil)
        }
        // By hand: two equal sleeves, never rebalanced; the flat pair's sleeve stays at 1.
        var equity = 1.0, peak = 1.0, deepest = 0.0, sleeveA = 1.0
        for value in dipping {
            sleeveA *= 1 + value
            equity = (sleeveA + 1) / 2
            peak = max(peak, equity)
            deepest = max(deepest, 1 - equity / peak)
        }
        let signals = [signal("AUSDT", "BUSDT", proba: 0.8, time: t), signal("CUSDT", "DUSDT", proba: 0.7, time: t)]
        let data = try ReportData.load(
            store: store, locations: locations, model: nil, dataSource: "exchange", latest: (t, signals, []))
        let portfolio = try #require(data.portfolioResult)
        #expect(portfolio.bars == 1_000 && deepest > 0.09)
        #expect(abs(portfolio.maxDrawdown - deepest) < 1e-12, "\(portfolio.maxDrawdown) vs \(deepest)")
        #expect(abs(portfolio.cumulativeReturn - (equity - 1)) < 1e-12)
        #expect(data.summary.backtest?.portfolio == portfolio)

        try store.write { db in try db.execute(sql: "DELETE FROM oof_returns") }
        let older = try ReportData.load(
            store: store, locations: locations, model: nil, dataSource: "exchange", latest: (t, signals, []))
        #expect(older.portfolioResult == nil && older.portfolioEquity.isEmpty && older.pairBacktests.count == 2)
    }
}
