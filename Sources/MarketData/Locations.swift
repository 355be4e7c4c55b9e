import Basics
import Foundation

/// Where a command reads and writes: `--data-dir` (env `MNTRADING_DATA_DIR`, default `data`) and
/// `--models-dir` (env `MNTRADING_MODELS_DIR`, default `models`). Every output path is under one of them.
public struct Locations: Sendable, Equatable {
    public var dataDirectory: String
    public var modelsDirectory: String

    /// `--data-dir`'s variable (`--models-dir`'s is `EnvironmentVariable.modelsDirectory`, which the
    /// scoring server reads too).
    public static let dataDirectoryVariable = EnvironmentVariable(
        "MNTRADING_DATA_DIR", "Directory for the store and data outputs")

    /// A directory given (not empty), else its variable, else the default.
    public init(
        dataDirectory: String? = nil, modelsDirectory: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.dataDirectory =
            Self.given(dataDirectory) ?? Self.dataDirectoryVariable.text(in: environment) ?? "data"
        self.modelsDirectory =
            Self.given(modelsDirectory) ?? EnvironmentVariable.modelsDirectory.text(in: environment) ?? "models"
    }

    private static func given(_ flag: String?) -> String? { flag?.isEmpty == false ? flag : nil }

    public func dataPath(_ components: String...) -> String {
        components.reduce(dataDirectory) { ($0 as NSString).appendingPathComponent($1) }
    }

    /// The synthetic market's ground truth, written on every synthetic ingest.
    public var groundTruthPath: String { dataPath("synthetic", "ground_truth.json") }

    /// Writes `market`'s planted pairs and parameters to `groundTruthPath`, atomically.
    public func writeGroundTruth(of market: SyntheticMarket) throws {
        try AtomicFile.write(try SyntheticGroundTruth.encoder().encode(market.groundTruth), to: groundTruthPath)
    }
}
