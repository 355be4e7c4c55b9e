import Basics
import Foundation

/// `--server`: the scoring server (mntrading-serve) an inference cycle calls, the same on
/// `mntrading-infer` and `mntrading ops` (whose cycle tasks pass it on).
public enum ServerURLOption {
    public static let variable = EnvironmentVariable(
        "MNTRADING_SERVER_URL", "Base URL of the scoring server (mntrading-serve) inference cycles call")
    public static let defaultURL = "http://127.0.0.1:5001"
    /// The flag's help: its variable and its default.
    public static let help = variable.help(default: defaultURL)

    /// The flag, else the variable, else the default.
    public static func url(_ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        variable.text(flag, in: environment) ?? defaultURL
    }
}
