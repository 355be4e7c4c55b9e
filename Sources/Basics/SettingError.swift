/// A setting outside its rules, named as its settings type names it (`min_train_rows`, the key
/// it has in the settings JSON), not as a flag: the library cannot know who set it. The command
/// line names the flag that sets it (`FlagNames` in CLISupport); any caller gets 64 from it.
public struct SettingError: Error, CustomStringConvertible, Equatable, Sendable, ExitCodeProviding {
    /// The setting's key: snake_case, as in the settings JSON.
    public let setting: String
    /// What is wrong, worded to follow the setting's name: "must be at least 20 (got 5)".
    public let problem: String

    public init(_ setting: String, _ problem: String) {
        self.setting = setting
        self.problem = problem
    }

    public var description: String { "\(setting) \(problem)" }

    /// 64, EX_USAGE: whoever set it has to set it otherwise.
    public var exitCode: Int32 { 64 }

    /// Throws unless `holds`.
    public static func check(_ holds: Bool, _ setting: String, _ problem: @autoclosure () -> String) throws {
        if !holds { throw SettingError(setting, problem()) }
    }
}
