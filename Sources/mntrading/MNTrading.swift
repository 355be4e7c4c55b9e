import CLISupport
import ArgumentParser
import Foundation
import HTTPClient
import Logging
import MarketData
import Training

@main
struct MNTrading: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "mntrading",
        abstract: "Market-neutral pairs trading for crypto: the batch side (data, research, training, models).",
        discussion: """
            Stages run one by one; each reads and writes under --data-dir (default ./data, env \
            MNTRADING_DATA_DIR) and --models-dir (default ./models, env MNTRADING_MODELS_DIR).

            Start offline with the embedded synthetic market:
              mntrading ingest --source synthetic --timeframe 1h --since 2024-06-01
              mntrading screen
              mntrading ingest --source synthetic --timeframe 5m --since 2024-09-01
              mntrading features
              mntrading dataset
              mntrading train
              mntrading select
              mntrading router          # then: mntrading-serve -m models:/mntrading_router@champion
            """,
        version: "mntrading \(version) (xgboost \(XGBoostLibrary.version), \(HTTPClient.curlVersion), sqlite \(MarketStore.sqliteVersion))",
        subcommands: [Ingest.self, Export.self, Check.self, Screen.self, Features.self, Dataset.self, Train.self, BacktestCommand.self, Select.self, RouterCommand.self, Models.self, PipelineCommand.self, Aggregate.self, Report.self, StatTest.self, SyntheticTruth.self, BenchFeatures.self, BenchScoring.self, BenchRequest.self, ExportMembers.self]
    )
}
