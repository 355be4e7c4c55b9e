import ArgumentParser
import Basics
import Foundation

/// `--tracking-uri` and `--experiment`: where `train`, `select`, `router`, `pipeline` and
/// `track sync` log to MLflow. Without a tracking URI nothing is sent and nothing is recorded for it.
public struct TrackingOptions: ParsableArguments {
    public init() {}

    @Option(
        help: ArgumentHelp(
            EnvironmentVariable.trackingURI.help(
                "MLflow tracking server to log runs to, e.g. http://127.0.0.1:5000",
                note: "Credentials from \(EnvironmentVariable.trackingCredentials). Unset: nothing goes to MLflow."),
            valueName: "url"))
    public var trackingUri: String?

    @Option(help: ArgumentHelp("MLflow experiment for the runs (created when missing).", valueName: "name"))
    public var experiment: String = "mntrading"

    /// The flag, else `MLFLOW_TRACKING_URI`; nil: no tracking (an empty `--tracking-uri` turns it
    /// off whatever the variable says).
    public func uri(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let value = EnvironmentVariable.trackingURI.text(trackingUri, in: environment)
        return value?.isEmpty == false ? value : nil
    }

    public func validate() throws {
        if experiment.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--experiment must not be empty")
        }
    }
}
