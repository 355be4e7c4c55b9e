import Foundation
import Testing

/// The programs hold environment variables to `EnvironmentVariable`'s rule: a boolean variable
/// with a value it does not take is a usage error (64) that names the variable and the value,
/// found by `--check-arguments` before anything starts; the documented spellings and an empty
/// value are accepted, and a flag given wins over the variable.
struct EnvironmentSettingsTests {
    static let model = ["-m", "models:/router@champion"]

    static func check(_ arguments: [String], _ environment: [String: String]) throws -> CLI.Result {
        try CLI.run(
            Self.model + arguments + ["--check-arguments"], program: "mntrading-serve", environment: environment)
    }

    @Test(arguments: ["MNTRADING_WARMUP", "MNTRADING_EXIT_ON_LOAD_FAILURE"])
    func aBadBooleanVariableExits64NamingIt(variable: String) throws {
        let run = try Self.check([], [variable: "maybe"])
        #expect(run.status == 64, "\(run.stderr)")
        let line = run.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(line.contains("\(variable)='maybe'"), "\(line)")
        for text in ["0", "false", "FALSE", "no", "off", "1", "true", "yes", "on", ""] {
            let accepted = try Self.check([], [variable: text])
            #expect(accepted.status == 0, "\(variable)=\(text): \(accepted.stderr)")
        }
    }

    @Test func aFlagGivenWinsOverABadVariable() throws {
        let run = try Self.check(
            ["--no-warmup", "--exit-on-load-failure"],
            [
                "MNTRADING_WARMUP": "maybe", "MNTRADING_EXIT_ON_LOAD_FAILURE": "maybe"
            ])
        #expect(run.status == 0, "\(run.stderr)")
    }
}
