import Foundation
import Testing

/// Every numeric option of every command of the three programs, read from the programs' own
/// description of themselves (`--experimental-dump-help`, so a flag added later is covered
/// without touching this test), driven with NaN, ±Inf, 0, −1, 1e300 and the bounds of Int, UInt64
/// and Double: each value is refused with exit 64 and a message that names the flag, or
/// accepted (`--check-arguments` exits 0 once every flag is parsed and validated); never a
/// signal, never a backtrace. Non-finite and huge values are refused by every option that
/// takes a number (an accepted `-t inf` was a server that crashed on its first request). Environment variables a flag falls back to get the same values.
@Suite(.serialized)
struct NumericSettingsTests {
    /// No numeric setting takes these: each must be refused, not merely survive the parse.
    static let neverValid: Set<String> = [
        "nan", "NaN", "inf", "-inf", "1e300", "-1e300", "18446744073709551616", "1.7976931348623157e308"
    ]
    static let values = [
        "nan", "NaN", "inf", "-inf", "0", "-1", "1e300", "-1e300", "9223372036854775807", "-9223372036854775808",
        "18446744073709551616", "1.7976931348623157e308", "4.9e-324", "1.5"
    ]

    /// Values for what a command cannot run without, so that only the option under test varies.
    static let required: [String: String] = [
        "symbols": "BTCUSDT,ETHUSDT", "model-uri": "models:/router@champion", "input-path": "request.json",
        "input": "cases.json",
        "scratch": "scratch", "out": "out"
    ]
    static let positionals: [String: [String]] = [
        "models show": ["models:/router@champion"], "models alias": ["router", "champion", "1"],
        "ledger enable": ["--all"]
    ]

    struct Option {
        var command: [String]
        var flag: String
        var environment: String?
        var requiredArguments: [String]
        /// `--data-dir` and `--models-dir` for a command that takes them (pointed at an empty directory).
        var directoryFlags: [String]
    }

    /// The options of `program` and its subcommands that take a value.
    static func options(of program: String) throws -> [Option] {
        let dump = try CLI.run(["--experimental-dump-help"], program: program)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var found: [Option] = []
        func walk(_ command: [String: Any], path: [String]) throws {
            let arguments = command["arguments"] as? [[String: Any]] ?? []
            var requiredArguments = Self.positionals[path.joined(separator: " ")] ?? []
            for argument in arguments
            where argument["kind"] as? String == "option" && argument["isOptional"] as? Bool == false {
                let name = try #require((argument["preferredName"] as? [String: Any])?["name"] as? String)
                let value = try #require(
                    Self.required[name], "\(program) \(path) needs --\(name): add a value to `required`")
                requiredArguments += ["--\(name)=\(value)"]
            }
            let longNames = Set(
                arguments.flatMap { ($0["names"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } })
            let directoryFlags = ["data-dir", "models-dir"].filter(longNames.contains)
            for argument in arguments where argument["kind"] as? String == "option" {
                let names = (argument["names"] as? [[String: Any]] ?? []).compactMap {
                    $0["kind"] as? String == "long" ? $0["name"] as? String : nil
                }
                guard let name = names.first, name != "experimental-dump-help" else { continue }
                let abstract = argument["abstract"] as? String ?? ""
                let environment = abstract.range(of: #"env [A-Z][A-Z0-9_]+"#, options: .regularExpression).map {
                    String(abstract[$0].dropFirst(4))
                }
                found.append(
                    Option(
                        command: path, flag: "--\(name)", environment: environment,
                        requiredArguments: requiredArguments.filter { !$0.hasPrefix("--\(name)=") },
                        directoryFlags: directoryFlags.filter { $0 != name }))
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] where sub["commandName"] as? String != "help" {
                try walk(sub, path: path + [sub["commandName"] as? String ?? ""])
            }
        }
        try walk(try #require(root["command"] as? [String: Any]), path: [])
        return found
    }

    /// Runs with `--check-arguments` in an empty directory; the problem with the outcome, if any.
    static func problem(
        _ program: String, _ option: Option, _ arguments: [String], environment: [String: String] = [:],
        names flag: String,
        mustRefuse: Bool
    ) throws -> String? {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("numeric-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try CLI.run(
            arguments + option.directoryFlags.flatMap { ["--\($0)", "\(directory)/\($0)"] } + ["--check-arguments"],
            program: program, environment: environment)
        let said = run.stderr + run.stdout
        for trap in ["Fatal error", "Stack dump", "backtrace", "Crash", "Illegal instruction", "Segmentation"]
        where said.contains(trap) {
            return "a crash (\(trap)), exit \(run.status): \(said.prefix(300))"
        }
        switch run.status {
        case 0: return mustRefuse ? "accepted (exit 0): no setting takes this value" : nil
        case 64:
            // The one line that says what is wrong names the flag (or the variable) it is about.
            let line = said.split(separator: "\n").first.map(String.init) ?? ""
            return line.contains(flag) ? nil : "exit 64 without naming \(flag): \(line)"
        default: return "exit \(run.status): \(said.prefix(300))"
        }
    }

    @Test(arguments: ["mntrading", "mntrading-infer", "mntrading-serve"])
    func everyNumericOptionIsRefusedWithExit64OrAccepted(program: String) async throws {
        let options = try Self.options(of: program)
        #expect(options.count >= (program == "mntrading" ? 150 : 10), "\(program): \(options.count) options found")
        let base = program == "mntrading-serve" ? ["-m", "models:/router@champion"] : []
        // A value an option refuses as text ("abc") is typed (a number, a duration, a choice); the
        // rest (paths, names, URLs) take any text.
        var typed: [Option] = []
        for option in options {
            let run = try CLI.run(
                option.command + base + option.requiredArguments + ["\(option.flag)=abc", "--check-arguments"],
                program: program)
            if run.status != 0 { typed.append(option) }
        }
        #expect(typed.count >= (program == "mntrading" ? 60 : 8), "\(program): \(typed.map(\.flag))")
        var problems: [String] = []
        // Two at a time: a debug build starts in ~60 ms, and the machine has two cores.
        try await withThrowingTaskGroup(of: [String].self) { group in
            for chunk in stride(from: 0, to: typed.count, by: max(1, typed.count / 2 + 1)).map({
                Array(typed[$0..<min($0 + typed.count / 2 + 1, typed.count)])
            }) {
                group.addTask {
                    var found: [String] = []
                    for option in chunk {
                        for value in Self.values {
                            let arguments =
                                option.command + base + option.requiredArguments + ["\(option.flag)=\(value)"]
                            if let problem = try Self.problem(
                                program, option, arguments, names: option.flag,
                                mustRefuse: Self.neverValid.contains(value))
                            {
                                found.append("\(program) \(arguments.joined(separator: " ")): \(problem)")
                            }
                            if let variable = option.environment, option.command.isEmpty || program != "mntrading" {
                                let arguments = option.command + base + option.requiredArguments
                                if let problem = try Self.problem(
                                    program, option, arguments, environment: [variable: value], names: variable,
                                    mustRefuse: Self.neverValid.contains(value))
                                {
                                    found.append("\(variable)=\(value) \(program): \(problem)")
                                }
                            }
                        }
                    }
                    return found
                }
            }
            for try await found in group { problems += found }
        }
        #expect(
            problems.isEmpty,
            Comment(rawValue: "\(problems.count) problems:\n" + problems.prefix(40).joined(separator: "\n")))
    }
}
