import Foundation

/// An environment variable a setting falls back to, declared once beside its flag (a static on the
/// command or options type): its name and what it is for. Every variable follows one rule:
///
/// - an empty value is the same as unset;
/// - a boolean takes 1, true, yes or on and 0, false, no or off, in any case; anything else is an
///   error that names the variable and the value (`EnvironmentVariableError`, exit 64);
/// - a number is held to its flag's own `NumberRule`, a string is taken as it is;
/// - the flag wins over the variable, the variable over the default.
///
/// The flag's help names the variable through `help(_:default:note:)`, so that `--help` lists it
/// and the name is written once.
public struct EnvironmentVariable: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    /// What the setting is for: the start of its flag's help, without the final period.
    public let purpose: String

    public init(_ name: String, _ purpose: String) {
        self.name = name
        self.purpose = purpose
    }

    /// The name, so that a message or a help text can interpolate the declaration.
    public var description: String { name }

    /// The variable's value; nil when it is unset or empty.
    public func text(in environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let text = environment[name], !text.isEmpty else { return nil }
        return text
    }

    /// The flag, else the variable; nil leaves the caller's default.
    public func text(_ flag: String?, in environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String?
    {
        flag ?? text(in: environment)
    }

    /// The flag, else the variable held to `rule` (the flag's own, which its parse already applied);
    /// nil leaves the caller's default.
    public func value<Value>(
        _ flag: Value?, _ rule: NumberRule<Value>,
        in environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(EnvironmentVariableError) -> Value? {
        if let flag { return flag }
        guard let text = text(in: environment) else { return nil }
        do {
            return try rule.parse(text)
        } catch {
            throw EnvironmentVariableError(variable: name, value: text, expected: error.expected)
        }
    }

    /// The flag, else the variable as a boolean; nil leaves the caller's default.
    public func bool(_ flag: Bool?, in environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(EnvironmentVariableError) -> Bool?
    {
        if let flag { return flag }
        guard let text = text(in: environment) else { return nil }
        guard let value = Self.boolean(text) else {
            throw EnvironmentVariableError(variable: name, value: text, expected: Self.booleanSpellings)
        }
        return value
    }

    public static let trueSpellings = ["1", "true", "yes", "on"]
    public static let falseSpellings = ["0", "false", "no", "off"]

    /// "1, true, yes or on, or 0, false, no or off": what a boolean variable takes.
    public static let booleanSpellings =
        "\(listed(trueSpellings)) (true), or \(listed(falseSpellings)) (false)"

    /// The boolean `text` spells (any case), or nil.
    public static func boolean(_ text: String) -> Bool? {
        let lowered = text.lowercased()
        if trueSpellings.contains(lowered) { return true }
        if falseSpellings.contains(lowered) { return false }
        return nil
    }

    /// A flag's help: "`text` (env NAME, default `value`). `note`", `text` being the purpose unless
    /// the flag words it its own way.
    public func help(_ text: String? = nil, default value: String? = nil, note: String? = nil) -> String {
        "\(text ?? purpose) (env \(name)\(value.map { ", default \($0)" } ?? ""))."
            + (note.map { " \($0)" } ?? "")
    }

    static func listed(_ words: [String]) -> String {
        words.dropLast().joined(separator: ", ") + (words.count > 1 ? " or " : "") + (words.last ?? "")
    }
}

/// A variable's value is not one its setting takes: the message names the variable, the value and
/// what it takes. A usage error (64, EX_USAGE), as a bad flag is.
public struct EnvironmentVariableError: Error, CustomStringConvertible, Equatable, ExitCodeProviding {
    public let variable: String
    public let value: String
    public let expected: String

    public init(variable: String, value: String, expected: String) {
        self.variable = variable
        self.value = value
        self.expected = expected
    }

    public var description: String { "\(variable)='\(value)': must be \(expected)" }
    public var exitCode: Int32 { 64 }
}

// The variables that more than one program reads, from flags in modules that cannot see each other
// (`mntrading`'s and `mntrading-infer`'s in CLISupport, `mntrading-serve`'s in its own target), are
// declared once here; every other variable is declared beside its flag.
extension EnvironmentVariable {
    /// `--models-dir` of every program.
    public static let modelsDirectory = EnvironmentVariable("MNTRADING_MODELS_DIR", "Directory of the model store")
    /// `--log-level` of `mntrading` and `mntrading-infer`; `mntrading-serve` reads only the variable.
    public static let logLevel = EnvironmentVariable(
        "MNTRADING_LOG_LEVEL", "Log level: trace, debug, info, notice, warning, error")
    /// `--tracking-uri`: the MLflow tracking server (runs logged by the batch side, the registry
    /// the scoring server may serve from).
    public static let trackingURI = EnvironmentVariable("MLFLOW_TRACKING_URI", "MLflow tracking server")
    /// MLflow's own client variables for the tracking server's credentials; no flag.
    public static let trackingToken = EnvironmentVariable(
        "MLFLOW_TRACKING_TOKEN", "Bearer token for the MLflow tracking server")
    public static let trackingUsername = EnvironmentVariable(
        "MLFLOW_TRACKING_USERNAME", "User for the MLflow tracking server (basic auth)")
    public static let trackingPassword = EnvironmentVariable(
        "MLFLOW_TRACKING_PASSWORD", "Password for the MLflow tracking server (basic auth, with the user)")

    /// "MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD", for help and messages.
    public static let trackingCredentials = "\(trackingToken) or \(trackingUsername)/\(trackingPassword)"
}
