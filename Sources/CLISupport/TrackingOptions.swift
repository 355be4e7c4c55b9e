import ArgumentParser
import Foundation

/// `--tracking-uri` and `--experiment`: where `train`, `select`, `router`, `pipeline` and
/// `track sync` log to MLflow. Without a tracking URI nothing is sent and nothing is recorded for it.
public struct TrackingOptions: ParsableArguments {
    public init() {}

    @Option(
        help: ArgumentHelp(
            "MLflow tracking server to log runs to, e.g. http://127.0.0.1:5000 (env MLFLOW_TRACKING_URI; credentials from MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD). Unset: nothing goes to MLflow.",
            valueName: "url"))
    public var trackingUri: String?

    @Option(help: ArgumentHelp("MLflow experiment for the runs (created when missing).", valueName: "name"))
    public var experiment: String = "mntrading"

    /// The flag, else the environment variable; empty counts as unset.
    public func uri(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let value = trackingUri ?? environment["MLFLOW_TRACKING_URI"]
        return value?.isEmpty == false ? value : nil
    }

    public func validate() throws {
        if experiment.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--experiment must not be empty")
        }
    }
}
