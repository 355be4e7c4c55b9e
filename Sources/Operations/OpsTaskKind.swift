import Foundation

/// A kind of background task: a program run with arguments built from the task's settings. The
/// programs check their own arguments (`validate`), so the dashboard accepts exactly what the
/// command line does, and they take their own locks, so a task and a cron job never interleave.
public struct OpsTaskKind: Sendable {
    public var name: String
    public var summary: String
    /// The program to run.
    public var executable: String
    /// Arguments always given, before the settings' (the data and models directories).
    public var fixedArguments: [String]
    /// The lock file under the data directory the program takes (checked before starting, so a
    /// busy lock answers 409 at once instead of a task that fails).
    public var lockFile: String
    /// The settings a task of this kind takes (`top_k`): the command's own flags that a dashboard
    /// may set. Test hooks (hidden flags), the server's own locations and anything that would send
    /// data elsewhere (`--binance-url`, `--tracking-uri`) are not among them.
    public var settings: Set<String>
    /// Throws a message naming the problem when the arguments are not what the program takes.
    public var validate: @Sendable (_ arguments: [String]) throws -> Void

    public init(
        name: String, summary: String, executable: String, fixedArguments: [String], lockFile: String,
        settings: Set<String>,
        validate: @escaping @Sendable (_ arguments: [String]) throws -> Void
    ) {
        self.name = name
        self.settings = settings
        self.summary = summary
        self.executable = executable
        self.fixedArguments = fixedArguments
        self.lockFile = lockFile
        self.validate = validate
    }

    /// Settings as the dashboard and the API send them, `{"top_k": 5, "force": true}`, in the
    /// command's flag form: `--top-k=5 --force`; false flags are left out. Keys name flags of
    /// `settings` only.
    public func arguments(from settings: [String: OpsSetting]) throws -> [String] {
        var arguments: [String] = []
        for (key, value) in settings.sorted(by: { $0.key < $1.key }) {
            guard !key.isEmpty,
                key.unicodeScalars.allSatisfy({
                    CharacterSet.lowercaseLetters.contains($0) || CharacterSet.decimalDigits.contains($0) || $0 == "_"
                })
            else {
                throw OpsError.badRequest(
                    "setting '\(key)' is not a flag name (lower case, digits and '_', like top_k)")
            }
            guard !["data_dir", "models_dir"].contains(key) else {
                throw OpsError.badRequest("setting '\(key)' is the ops server's own; it cannot be set per task")
            }
            guard self.settings.contains(key) else {
                throw OpsError.badRequest(
                    "setting '\(key)' is not one a \(name) task takes; it takes \(self.settings.sorted().joined(separator: ", "))"
                )
            }
            let flag = "--" + key.replacingOccurrences(of: "_", with: "-")
            switch value {
            case .flag(true): arguments.append(flag)
            case .flag(false): continue
            // Joined to its flag, so a value cannot be read as a flag of its own (`--models-dir=…`
            // smuggled in as the value of a setting the server allows).
            case .value(let text): arguments.append("\(flag)=\(text)")
            }
        }
        return arguments
    }
}

/// One setting's value: a flag (true/false) or a value given to the flag.
public enum OpsSetting: Sendable, Equatable {
    case flag(Bool)
    case value(String)
}
