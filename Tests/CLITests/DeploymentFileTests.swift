import Foundation
import Testing
import Yams

/// Docker is not available here, so the deployment files are checked against the repository and
/// the binaries instead: every path exists, ports agree, every env var and flag is one the server
/// documents in its --help.
struct DeploymentFileTests {
    static func read(_ path: String) throws -> String {
        try String(contentsOfFile: CLI.repositoryRoot + "/" + path, encoding: .utf8)
    }

    @Test func composeFileMatchesTheRepositoryAndTheServer() throws {
        let compose = try #require(
            try Yams.load(yaml: try Self.read("deploy/docker-compose.serving.yml")) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        let serving = try #require(services["serving"] as? [String: Any])
        let build = try #require(serving["build"] as? [String: Any])
        // The compose file lives in deploy/, and compose resolves paths from its folder: `..` is the
        // repository root, the Dockerfile path is relative to it, and models/ is mounted read-only.
        #expect(build["context"] as? String == "..")
        let dockerfile = try #require(build["dockerfile"] as? String)
        #expect(FileManager.default.fileExists(atPath: CLI.repositoryRoot + "/" + dockerfile))

        let help = try CLI.run(["--help"], program: "mntrading-serve").stdout
        let environment = try #require(serving["environment"] as? [String: Any])
        for name in environment.keys {
            #expect(help.contains(name), "mntrading-serve --help does not document \(name)")
        }
        let port = try #require(environment["MLFLOW_PORT"] as? String)
        #expect((serving["ports"] as? [String])?.contains("\(port):\(port)") == true)
        let healthcheck = try #require((serving["healthcheck"] as? [String: Any])?["test"] as? [String])
        #expect(healthcheck.contains("http://127.0.0.1:\(port)/ping"))
        let volumes = try #require(serving["volumes"] as? [String])
        #expect(volumes.contains("../models:/models:ro"))
        #expect(FileManager.default.fileExists(atPath: CLI.repositoryRoot + "/models/README.md"))
        #expect(environment["MNTRADING_MODELS_DIR"] as? String == "/models")
    }

    /// The dashboard's service: its image builds from a file in the repository, runs as non-root,
    /// every variable it sets is one `mntrading ops` reads, and writes are on only with a token.
    @Test func composeRunsTheDashboardBesideTheServerWithItsToken() throws {
        let compose = try #require(
            try Yams.load(yaml: try Self.read("deploy/docker-compose.serving.yml")) as? [String: Any])
        let ops = try #require((compose["services"] as? [String: Any])?["ops"] as? [String: Any])
        let dockerfile = try #require((ops["build"] as? [String: Any])?["dockerfile"] as? String)
        let image = try Self.read(dockerfile)
        #expect(image.contains("USER mntrading") && image.contains("ENTRYPOINT [\"mntrading\", \"ops\"]"))
        let help = try CLI.run(["ops", "--help"]).stdout
        let environment = try #require(ops["environment"] as? [String: Any])
        for name in environment.keys where name != "MNTRADING_DATA_DIR" && name != "MNTRADING_MODELS_DIR" {
            #expect(help.contains(name), "mntrading ops --help does not document \(name)")
        }
        for line in image.split(separator: "\n") where line.contains("MNTRADING_OPS_") {
            for name in ["MNTRADING_OPS_HOST", "MNTRADING_OPS_PORT"] where line.contains(name) {
                #expect(help.contains(name))
            }
        }
        let command = try #require(ops["command"] as? [String])
        #expect(command.contains("--allow-writes") && environment["MNTRADING_OPS_TOKEN"] != nil)
        #expect((ops["ports"] as? [String])?.allSatisfy { $0.hasPrefix("127.0.0.1:") } == true)
    }

    /// The words of a `--help` text, so that `--timeout` is not found inside `--timeout-read`.
    static func helpWords(_ program: String) throws -> Set<String> {
        let help = try CLI.run(["--help"], program: program).stdout
        return Set(help.split { !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }.map(String.init))
    }

    @Test func dockerfileConfiguresTheServerThroughVariablesItReads() throws {
        let dockerfile = try Self.read("deploy/serving/Dockerfile")
        let stages = dockerfile.split(separator: "\n").filter { $0.hasPrefix("FROM ") }
        #expect(stages.count == 2, "a multi-stage build: build and runtime")
        #expect(stages.first?.contains("swift:") == true && stages.last?.contains("-slim") == true)
        #expect(dockerfile.contains("\nUSER mntrading\n") && dockerfile.contains("useradd --system"))
        #expect(dockerfile.contains("HEALTHCHECK") && dockerfile.contains("/ping"))
        #expect(dockerfile.contains("ENTRYPOINT [\"mntrading-serve\"]"))
        // Every variable the image sets is one the server documents (and so reads).
        let help = try Self.helpWords("mntrading-serve")
        let lines = dockerfile.split(separator: "\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("ENV ") })
        let end = try #require(lines[start...].firstIndex { !$0.hasSuffix("\\") })
        let variables = lines[start...end].compactMap { line in
            line.split(separator: " ").first { $0.contains("=") }.map { String($0.split(separator: "=")[0]) }
        }
        #expect(
            Set(variables) == ["MLFLOW_HOST", "MLFLOW_PORT", "MNTRADING_MODELS_DIR", "MNTRADING_MODEL_URI"],
            "\(variables)")
        for name in variables { #expect(help.contains(name), "mntrading-serve --help does not document \(name)") }
    }

    /// Every `--flag` in a command line is one `mntrading-infer --help` documents.
    static func expectInferFlags(_ words: [String], _ file: String) throws {
        let help = try helpWords("mntrading-infer")
        let flags = words.filter { $0.hasPrefix("--") }.map { String($0.split(separator: "=")[0]) }
        #expect(!flags.isEmpty)
        for flag in flags { #expect(help.contains(flag), "\(file): mntrading-infer has no \(flag)") }
    }

    @Test func composeRunsTheClientOnATimerAgainstTheServingService() throws {
        let compose = try #require(
            try Yams.load(yaml: try Self.read("deploy/docker-compose.serving.yml")) as? [String: Any])
        let services = try #require(compose["services"] as? [String: Any])
        let serving = try #require(services["serving"] as? [String: Any])
        let inference = try #require(services["inference"] as? [String: Any])
        #expect(inference["image"] as? String == serving["image"] as? String)
        #expect(inference["entrypoint"] as? [String] == ["mntrading-infer"])
        let command = try #require(inference["command"] as? [String])
        #expect(command.contains("--every") && command[command.firstIndex(of: "--every")! + 1] == "5m")
        try Self.expectInferFlags(command, "deploy/docker-compose.serving.yml")
        let environment = try #require(inference["environment"] as? [String: Any])
        let port = try #require((serving["environment"] as? [String: Any])?["MLFLOW_PORT"] as? String)
        #expect(environment["MNTRADING_SERVER_URL"] as? String == "http://serving:\(port)")
        let help = try Self.helpWords("mntrading-infer")
        for name in environment.keys {
            #expect(help.contains(name), "mntrading-infer --help does not document \(name)")
        }
        let dependsOn = try #require(inference["depends_on"] as? [String: Any])
        #expect((dependsOn["serving"] as? [String: Any])?["condition"] as? String == "service_healthy")
        #expect(
            (inference["volumes"] as? [String])?.contains("../data:/data") == true
                && environment["MNTRADING_DATA_DIR"] as? String == "/data")
        #expect(try Self.read("deploy/serving/Dockerfile").contains("/out/mntrading-infer"))
    }

    @Test func systemdAndCronRunOneCycleWithFlagsTheClientHas() throws {
        let service = try Self.read("deploy/systemd/mntrading-infer.service")
        let exec = try #require(service.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        #expect(exec.contains("/mntrading-infer --once"))
        try Self.expectInferFlags(exec.split(separator: " ").map(String.init), "mntrading-infer.service")
        #expect(service.contains("Type=oneshot") && service.contains("SuccessExitStatus=75"))
        let timer = try Self.read("deploy/systemd/mntrading-infer.timer")
        #expect(timer.contains("OnCalendar=*-*-* *:00/5:10") && timer.contains("WantedBy=timers.target"))
        let cron = try Self.read("deploy/cron/mntrading-infer.crontab")
        let entry = try #require(cron.split(separator: "\n").first { $0.hasPrefix("*/5 ") })
        try Self.expectInferFlags(entry.split(separator: " ").map(String.init), "mntrading-infer.crontab")
        #expect(entry.contains("--once"))
    }
}
