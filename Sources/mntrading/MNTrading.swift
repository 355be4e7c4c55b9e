import CLISupport
import ArgumentParser
import Foundation
import HTTPClient
import Logging
import MarketData
import ModelFormat
import Training
import Basics
import Store

@main
struct MNTrading: AsyncParsableCommand {
    static let version = ProductVersion.current

    static let configuration = CommandConfiguration(
        commandName: "mntrading",
        abstract: "Market-neutral pairs trading for crypto: the batch side (data, research, training, models).",
        discussion: """
            Every command reads and writes under --data-dir (default ./data, env \
            \(Locations.dataDirectoryVariable)) and --models-dir (default ./models, env \
            \(EnvironmentVariable.modelsDirectory)).

            Everything at once, offline on the embedded synthetic market (stages whose inputs have \
            not changed are skipped):
              mntrading pipeline
              mntrading-serve -m \(ModelStore.defaultModelURI)
              mntrading-infer --once

            The same stages one by one:
              mntrading ingest --source synthetic --timeframe 1h --since 2024-06-01
              mntrading screen
              mntrading ingest --source synthetic --timeframe 5m --since 2024-09-01
              mntrading features
              mntrading dataset
              mntrading train
              mntrading select
              mntrading router
            """,
        version:
            "mntrading \(version) (xgboost \(XGBoostLibrary.version), \(HTTPClient.curlVersion), sqlite \(DataStore.sqliteVersion))",
        subcommands: [
            Ingest.self, Export.self, Check.self, Screen.self, Features.self, Dataset.self, Train.self,
            BacktestCommand.self, Select.self, RouterCommand.self, Models.self, PipelineCommand.self, Track.self,
            Aggregate.self, LedgerCommand.self, Report.self, Ops.self, StatTest.self, SyntheticTruth.self,
            BenchFeatures.self, BenchScoring.self, BenchRequest.self, ExportMembers.self, TrialStatisticsCommand.self
        ]
    )

    /// Exit codes from one table (`ProgramExit`), and `--check-arguments` for every command.
    static func main() async { await ProgramExit.main(Self.self, name: "mntrading") }
}
