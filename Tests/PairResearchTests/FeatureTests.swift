import Foundation
import Testing
import Store
import Basics
@testable import MarketData
@testable import PairResearch

/// No look-ahead: values at bar t use bars ≤ t only; incremental updates equal full rebuilds bit for bit.
struct FeatureTests {
    static let parameters = FeatureParameters(betaWindow: 200, zWindow: 60)
    static let day: Int64 = 86_400_000

    static func pairBars(days: Int = 12, seed: UInt64 = 42) throws -> PairBars {
        let market = SyntheticMarket(seed: seed)
        let series = try market.series(
            symbols: ["SYNA1USDT", "SYNA0USDT"], timeframe: .m5,
            from: SyntheticMarket.origin, to: SyntheticMarket.origin + Int64(days) * day)
        return PairBars(a: series[0].bars, b: series[1].bars)
    }

    /// Bitwise equality, so that −0.0 vs 0.0 or two NaNs would not hide a difference.
    static func identical(_ lhs: [FeatureRow], _ rhs: [FeatureRow]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (a, b) in zip(lhs, rhs) {
            guard a.openTime == b.openTime, a.values.count == b.values.count else { return false }
            let left = [a.closeA, a.closeB, a.beta, a.alpha, a.spread] + a.values
            let right = [b.closeA, b.closeB, b.beta, b.alpha, b.spread] + b.values
            guard zip(left, right).allSatisfy({ $0.bitPattern == $1.bitPattern }) else { return false }
        }
        return true
    }

    @Test func resumingAnywhereGivesTheFullComputationsRowsBitForBit() throws {
        let bars = try Self.pairBars()
        let engine = FeatureEngine(parameters: Self.parameters)
        let full = engine.rows(bars)
        #expect(full.count == bars.count - Self.parameters.warmUp)
        #expect(full.allSatisfy { $0.values.allSatisfy(\.isFinite) })
        // Starts on, just before and just after block anchors, and arbitrary ones.
        for start in [engine.firstRowIndex, 511, 512, 513, 1023, 1024, 1500, 2047, 2049, bars.count - 1] {
            let partial = engine.rows(bars, from: start)
            let expected = Array(full.suffix(bars.count - start))
            #expect(Self.identical(partial, expected), "resume at \(start)")
        }
    }

    @Test func truncatingTheInputLeavesEveryEarlierRowUnchanged() throws {
        let bars = try Self.pairBars()
        let engine = FeatureEngine(parameters: Self.parameters)
        let full = engine.rows(bars)
        for cut in [engine.firstRowIndex + 1, 700, 1024, 2500, bars.count - 3] {
            let truncated = engine.rows(bars.prefix(cut))
            #expect(Self.identical(truncated, Array(full.prefix(truncated.count))), "cut at \(cut)")
            #expect(truncated.last?.openTime == bars.openTimes[cut - 1])
        }
    }

    /// The harness can fail: changing one future bar must change no row before it, but must change rows after it.
    @Test func changingAFutureBarChangesNoEarlierRow() throws {
        var bars = try Self.pairBars()
        let engine = FeatureEngine(parameters: Self.parameters)
        let before = engine.rows(bars)
        let changed = 2000
        bars.closeA[changed] *= 1.05
        bars.volumeB[changed] *= 3
        let after = engine.rows(bars)
        let firstAffected = changed - engine.firstRowIndex
        #expect(Self.identical(Array(before.prefix(firstAffected)), Array(after.prefix(firstAffected))))
        #expect(!Self.identical([before[firstAffected]], [after[firstAffected]]))
    }

    @Test func rowsNeedBothLegsOnTheSameBar() {
        let a = (0..<10).map { Bar(openTime: Int64($0) * 300_000, open: 1, high: 1, low: 1, close: 1, volume: 1) }
        let b = a.enumerated().filter { $0.offset % 3 != 1 }.map(\.element)
        let joined = PairBars(a: a, b: b)
        #expect(joined.openTimes == b.map(\.openTime))
    }

    /// The feature stage, through the store: ingest part of the data, compute, ingest the rest,
    /// append — the stored rows equal a from-scratch rebuild's, bit for bit.
    @Test func storedIncrementalUpdateEqualsAFullRebuild() throws {
        let directory = NSTemporaryDirectory() + "mntrading-features-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try DataStore(dataDirectory: directory, schemas: [.marketData, .pairResearch])
        let market = SyntheticMarket(seed: 42)
        let pair = PairID(a: "SYNB1USDT", b: "SYNB0USDT")
        let start = SyntheticMarket.origin
        func ingest(until: Int64) throws {
            _ = try Ingestor(store: store).run(
                .synthetic(market),
                IngestRequest(
                    symbols: [pair.a, pair.b], timeframe: .m5,
                    since: start, until: until), now: until)
        }
        let stage = FeatureStage(store: store)
        try ingest(until: start + 5 * Self.day)
        let first = try stage.update(pairs: [pair], timeframe: .m5, parameters: Self.parameters)
        #expect(first[0].rebuilt && first[0].rowsWritten == 5 * 288 - Self.parameters.warmUp)
        try ingest(until: start + 8 * Self.day + 7 * 300_000)
        let second = try stage.update(pairs: [pair], timeframe: .m5, parameters: Self.parameters)
        #expect(!second[0].rebuilt && second[0].rowsWritten == 3 * 288 + 7)
        let incremental = try store.featureRows(pair: pair.text, timeframe: .m5)
        let third = try stage.update(pairs: [pair], timeframe: .m5, parameters: Self.parameters)
        #expect(third[0].rowsWritten == 0)
        _ = try stage.update(pairs: [pair], timeframe: .m5, parameters: Self.parameters, rebuild: true)
        let rebuilt = try store.featureRows(pair: pair.text, timeframe: .m5)
        #expect(incremental.count == 8 * 288 + 7 - Self.parameters.warmUp)
        #expect(Self.identical(incremental, rebuilt))
        // The newest rows alone (what a router's example and inference read) are the tail of the series,
        // and the dataset row built from them equals the full dataset's newest row.
        #expect(
            Self.identical(
                try store.latestFeatureRows(pair: pair.text, timeframe: .m5, count: 4), Array(rebuilt.suffix(4))))
        var definition = DatasetDefinition()
        definition.lagFeatures = 3
        let full = PairDataset(pair: pair.text, rows: rebuilt, definition: definition)
        let newest = PairDataset(
            pair: pair.text, rows: try store.latestFeatureRows(pair: pair.text, timeframe: .m5, count: 4),
            definition: definition)
        #expect(newest.count == 1 && newest.openTimes == [full.openTimes.last!])
        #expect(newest.features == Array(full.features.suffix(definition.featureNames.count)))
        // New windows rebuild the pair rather than mixing parameters.
        let other = try stage.update(
            pairs: [pair], timeframe: .m5, parameters: FeatureParameters(betaWindow: 300, zWindow: 60))
        #expect(other[0].rebuilt && other[0].totalRows == 8 * 288 + 7 - 360)
    }
}

struct DatasetTests {
    static func row(
        _ index: Int, z: Double, spread: Double, closeA: Double, closeB: Double = 1, beta: Double = 1,
        alpha: Double = 0, volatility: Double = 0.01
    ) -> FeatureRow {
        FeatureRow(
            openTime: Int64(index) * 300_000, closeA: closeA, closeB: closeB, beta: beta, alpha: alpha, spread: spread,
            z: z, zVelocity: 0, zAcceleration: 0, spreadVolatility: volatility, halfLife: 10, volumeRatioA: 0,
            volumeRatioB: 0, betaLong: 1, zLong: 0)
    }

    /// Spread = ln A (β = 1, B = 1, α = 0), so the frozen future spread is ln A at t+h.
    static func rows(_ spreads: [Double], _ zs: [Double]) -> [FeatureRow] {
        zip(spreads, zs).enumerated().map {
            row($0.offset, z: $0.element.1, spread: $0.element.0, closeA: exp($0.element.0))
        }
    }

    @Test func labelsFollowTheirDefinitions() {
        let spreads = [0.05, 0.03, 0.06, 0.04, -0.05, -0.02, 0.0]
        let zs = [2.0, 1.0, 2.5, 0.5, -2.0, -0.5, 0.0]
        var definition = DatasetDefinition()
        definition.lagFeatures = 0
        definition.horizon = 1
        definition.zscoreThreshold = 1.2
        definition.labelType = .zThreshold
        let threshold = PairDataset(pair: "P", rows: Self.rows(spreads, zs), definition: definition)
        // t0: z 2, spread falls 0.05→0.03: 1. t1: not stretched: no label. t2: z 2.5, 0.06→0.04: 1.
        // t3: not stretched. t4: z −2, −0.05→−0.02 (toward the mean): 1. t5: not stretched. t6: no future.
        #expect(threshold.labels == [1, nil, 1, nil, 1, nil, nil])
        let away = PairDataset(pair: "P", rows: Self.rows([0.05, 0.07, 0.08], [2, 2.2, 2.4]), definition: definition)
        #expect(away.labels == [0, 0, nil])
        definition.labelType = .revertDirection
        let direction = PairDataset(pair: "P", rows: Self.rows(spreads, zs), definition: definition)
        // t1: z +1, 0.03→0.06 away: 0. t3: z +0.5, 0.04→−0.05 toward: 1. t5: z −0.5, −0.02→0 toward: 1.
        #expect(direction.labels == [1, 0, 1, 1, 1, 1, nil])
        definition.labelType = .volScaled
        definition.volK = 2.5 // τ = 0.025 per bar
        let scaled = PairDataset(pair: "P", rows: Self.rows(spreads, zs), definition: definition)
        // Toward-the-mean moves: t0 0.02, t2 0.02, t3 0.09, t4 0.03, t5 0.02 → only t3 and t4 exceed τ.
        #expect(scaled.labels == [0, 0, 0, 1, 1, 0, nil])
        #expect(scaled.forwardMoves[3]! < 0)
    }

    /// β = 1 and B = 1, so each bar's spread move is Δln A and the trade earns it over 1 + |β| = 2.
    @Test func tradeOutcomeLabelsWhetherTheHoldToMeanTradePaysAfterFees() {
        var definition = DatasetDefinition()
        definition.lagFeatures = 0
        definition.labelType = .tradeOutcome
        definition.horizon = 10
        definition.feeRate = 0.0005
        let reverting = PairDataset(
            pair: "P", rows: Self.rows([0.05, 0.03, 0.01, -0.01, 0.02], [2.0, 1.5, 0.5, -0.3, 0.4]),
            definition: definition)
        // t0 short the spread: +0.01 three times until z crosses zero, minus 2 × 0.0005.
        #expect(reverting.labels == [1, 1, nil, nil, nil])
        #expect(abs(reverting.forwardMoves[0]! - 0.029) < 1e-12 && abs(reverting.forwardMoves[1]! - 0.019) < 1e-12)
        definition.horizon = 2
        let flat = PairDataset(
            pair: "P", rows: Self.rows([0.05, 0.0502, 0.0498, 0.049], [2, 2, 2, 2]), definition: definition)
        // Held two bars (the cap) for +0.0001 and +0.0006 before fees of 0.001: both lose. t2 would
        // need a bar after the data ends: no label rather than a guess.
        #expect(flat.labels == [0, 0, nil, nil])
        #expect(abs(flat.forwardMoves[0]! - (-0.0009)) < 1e-12)
        // The aligned inputs: |z| and z_long signed by z's side.
        let names = definition.featureNames
        let width = names.count
        let absZ = names.firstIndex(of: "abs_z")!, aligned = names.firstIndex(of: "z_long_aligned")!
        #expect(flat.features[absZ] == 2 && flat.features[aligned] == 0)
        var rows = Self.rows([0.05, 0.04], [-2, 1])
        rows[0].zLong = 1.5
        rows[1].zLong = 1.5
        let signed = PairDataset(pair: "P", rows: rows, definition: definition)
        #expect(signed.features[aligned] == -1.5 && signed.features[width + aligned] == 1.5)
    }

    @Test func lagsComeFromEarlierRowsAndTheLastHorizonHasNoLabel() {
        let zs = (0..<30).map { Double($0) / 10 }
        let rows = zs.enumerated().map {
            Self.row($0.offset, z: $0.element, spread: 0.01 * Double($0.offset), closeA: exp(0.01 * Double($0.offset)))
        }
        var definition = DatasetDefinition()
        definition.labelType = .revertDirection
        definition.lagFeatures = 3
        definition.horizon = 4
        let dataset = PairDataset(pair: "P", rows: rows, definition: definition)
        #expect(dataset.count == 27)
        #expect(dataset.labels.suffix(4).allSatisfy { $0 == nil })
        #expect(dataset.labels.dropLast(4).allSatisfy { $0 != nil })
        let width = definition.featureNames.count
        #expect(width == FeatureRow.featureNames.count + 2 + 6)
        let zLagColumn = definition.featureNames.firstIndex(of: "z_lag1")!
        for index in 0..<dataset.count {
            // Row index in the feature rows is index + 3; its lag 1 is the row before.
            #expect(dataset.features[index * width + zLagColumn] == zs[index + 2])
            #expect(dataset.features[index * width] == zs[index + 3])
        }
        #expect(Set(dataset.openTimes).count == dataset.count)
    }
}
