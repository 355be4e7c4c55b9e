import CLISupport
import ArgumentParser
import Foundation
import MarketData
import PairResearch
import Basics
import DevTools

/// Runs ADF and Engle–Granger on series from a JSON file: what `scripts/checks/check-statsmodels.py`
/// compares with statsmodels, and a way to test any series by hand.
struct StatTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stat-test",
        abstract: "ADF / Engle–Granger on series given as JSON (for checks against statsmodels).",
        discussion: """
            Input: a JSON list of cases {"id", "kind": "adf"|"coint", "x": [...], "y": [...] (coint: y \
            regressed on x), "trend": "n"|"c"|"ct" (adf), "autolag": "aic"|"bic"|"t-stat"|"fixed", \
            "maxlag": n or null}. Output on stdout: one result per case.
            """
    )

    @Option(help: ArgumentHelp("JSON file of cases.", valueName: "path"))
    var input: String

    @Option(
        name: .customLong("repeat"),
        help: ArgumentHelp(
            "Run every case this many times and report the median seconds (benchmarks).", valueName: "n"),
        transform: NumberRule.whole(1...1_000_000).parse)
    var repetitions: Int = 1

    struct Case: Decodable {
        var id: String
        var kind: String
        var x: [Double]
        var y: [Double]?
        var trend: TrendTerm?
        var autolag: LagSelection?
        var maxlag: Int?
    }

    struct Result: Encodable {
        var id: String
        var statistic: Double?
        var pvalue: Double?
        var usedlag: Int?
        var nobs: Int?
        var crit: [Double]?
        var error: String?
        var secondsMedian: Double?
    }

    func run() throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: input)) } catch {
            throw ValidationError("cannot read '\(input)': \(error.localizedDescription)")
        }
        let cases = try JSONDecoder().decode([Case].self, from: data)
        guard repetitions >= 1 else { throw ValidationError("--repeat must be at least 1") }
        let results = cases.map { item -> Result in
            var result = Self.evaluate(item)
            if repetitions > 1 {
                var times: [Double] = []
                for _ in 0..<repetitions {
                    let start = DispatchTime.now().uptimeNanoseconds
                    _ = Self.evaluate(item)
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                }
                result.secondsMedian = times.sorted()[times.count / 2]
            }
            return result
        }
        FileHandle.standardOutput.write(try ProjectJSON.encoder(pretty: false).encode(results))
        print()
    }

    static func evaluate(_ item: Case) -> Result {
        do {
            switch item.kind {
            case "adf":
                let r = try augmentedDickeyFuller(
                    item.x, maxLag: item.maxlag, trend: item.trend ?? .constant, lagSelection: item.autolag ?? .aic)
                return Result(
                    id: item.id, statistic: r.statistic, pvalue: r.pValue, usedlag: r.usedLag, nobs: r.observations,
                    crit: [r.criticalValues.onePercent, r.criticalValues.fivePercent, r.criticalValues.tenPercent])
            case "coint":
                let r = try engleGranger(item.y ?? [], item.x, maxLag: item.maxlag, lagSelection: item.autolag ?? .aic)
                return Result(
                    id: item.id, statistic: r.statistic.isFinite ? r.statistic : nil, pvalue: r.pValue,
                    usedlag: r.collinear ? nil : r.usedLag, nobs: r.observations,
                    crit: [r.criticalValues.onePercent, r.criticalValues.fivePercent, r.criticalValues.tenPercent])
            default:
                return Result(id: item.id, error: "unknown kind '\(item.kind)'")
            }
        } catch {
            return Result(id: item.id, error: "\(error)")
        }
    }
}
