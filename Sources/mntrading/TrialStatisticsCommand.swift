import CLISupport
import ArgumentParser
import Foundation
import ModelFormat
import MarketData
import PairResearch
import Portfolio
import Training
import Basics
import DevTools
import TrainingRecords

/// Hidden: the Deflated Sharpe Ratio, trial clusters and PBO of given return series, for
/// scripts/checks/check-trial-statistics.py to compare with an independent implementation.
struct TrialStatisticsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trial-stats",
        abstract: "DSR, trial clusters and PBO of return series given as JSON (for checks).", shouldDisplay: false)

    @Option(
        help: "JSON: a list of cases {\"trials\": [[returns]…], \"returns\": [returns], \"independent_trials\": n}.")
    var input: String

    struct Case: Decodable {
        var trials: [[Double]]
        var returns: [Double]
        var independentTrials: Int
    }

    func run() throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let cases = try decoder.decode([Case].self, from: Data(contentsOf: URL(fileURLWithPath: input)))
        let results: [[String: Any]] = cases.map { item in
            let pbo = BacktestOverfitting.estimate(item.trials)
            return [
                "dsr": DeflatedSharpe.ratio(returns: item.returns, independentTrials: item.independentTrials)
                    ?? NSNull(),
                "pbo": pbo?.pbo ?? NSNull(), "clusters": TrialClusters.count(item.trials)
            ]
        }
        print(String(decoding: try JSONSerialization.data(withJSONObject: results), as: UTF8.self))
    }
}
