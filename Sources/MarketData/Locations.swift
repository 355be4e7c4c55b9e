import Basics
import Foundation

/// Where a command reads and writes: `--data-dir` (env `MNTRADING_DATA_DIR`, default `data`) and
/// `--models-dir` (env `MNTRADING_MODELS_DIR`, default `models`). Every output path is under one of them.
public struct Locations: Sendable, Equatable {
    public var dataDirectory: String
    public var modelsDirectory: String

    public init(
        dataDirectory: String? = nil, modelsDirectory: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.dataDirectory = Self.pick(dataDirectory, environment["MNTRADING_DATA_DIR"], "data")
        self.modelsDirectory = Self.pick(modelsDirectory, environment["MNTRADING_MODELS_DIR"], "models")
    }

    private static func pick(_ flag: String?, _ environment: String?, _ fallback: String) -> String {
        for candidate in [flag, environment] {
            if let candidate, !candidate.isEmpty { return candidate }
        }
        return fallback
    }

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
