import ArgumentParser
import CLISupport
import Foundation
import Logging
import Operations
import Scoring

/// `mntrading ops`: the operations API and dashboard (a thin shell over `Operations`).
struct Ops: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "The operations API and web dashboard: run the pipeline or an inference cycle, follow its log, see pairs, training, models, signals, orders and the report; promote or roll back.",
        discussion: """
            Open http://127.0.0.1:8000 after starting it. Reads are open to whoever reaches the \
            server; starting tasks and moving aliases are allowed on 127.0.0.1, and beyond it only \
            with --allow-writes and a bearer token (env MNTRADING_OPS_TOKEN). One task runs at a \
            time, and never beside a command-line run of the same kind (the same lock files). The \
            API is described at /openapi.json.
            """)

    @OptionGroup var location: LocationOptions
    @Option(help: ArgumentHelp("Address to listen on (env MNTRADING_OPS_HOST).", valueName: "host")) var host: String?
    @Option(help: ArgumentHelp("Port (0 = any free port; env MNTRADING_OPS_PORT).", valueName: "port")) var port: Int?
    @Flag(help: "Allow starting tasks and moving aliases on an address beyond 127.0.0.1 (needs MNTRADING_OPS_TOKEN).") var allowWrites = false
    @Option(help: ArgumentHelp("The model the Models page acts on.", valueName: "name")) var modelName = "mntrading_router"
    @Option(help: ArgumentHelp("The scoring server inference cycles call (env MNTRADING_SERVER_URL).", valueName: "url")) var server: String?
    @Option(help: ArgumentHelp("Where inference cycles get the newest bars: synthetic, binance or none (the store as it is).", valueName: "source"))
    var cycleSource = "synthetic"

    func run() async throws {
        location.bootstrapLogging()
        let environment = ProcessInfo.processInfo.environment
        let locations = location.locations
        var configuration = OpsConfiguration(locations: locations)
        configuration.host = host ?? environment["MNTRADING_OPS_HOST"] ?? "127.0.0.1"
        guard let port = port ?? (environment["MNTRADING_OPS_PORT"].map { Int($0) ?? -1 }) ?? Optional(8000), (0...65535).contains(port) else {
            throw ValidationError("--port (or MNTRADING_OPS_PORT) must be 0…65535")
        }
        configuration.port = port
        configuration.allowWrites = allowWrites
        configuration.token = environment["MNTRADING_OPS_TOKEN"]
        configuration.modelName = modelName
        // The tasks are this program's and mntrading-infer's own commands, run beside it.
        let program = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let infer = program.deletingLastPathComponent().appendingPathComponent("mntrading-infer").path
        let directories = ["--data-dir", locations.dataDirectory, "--models-dir", locations.modelsDirectory]
        let serverURL = server ?? environment["MNTRADING_SERVER_URL"] ?? "http://127.0.0.1:5001"
        let kinds = [
            OpsTaskKind(name: "pipeline", summary: "every stage, skipping those whose inputs have not changed (mntrading pipeline)",
                        executable: program.path, fixedArguments: ["pipeline"] + directories, lockFile: "pipeline.lock",
                        validate: { arguments in
                            do { _ = try PipelineCommand.parse(Array(arguments.dropFirst())) } catch {
                                throw OpsError.badRequest(PipelineCommand.message(for: error))
                            }
                        }),
            OpsTaskKind(name: "cycle", summary: "one inference cycle against \(serverURL) (mntrading-infer --once)",
                        executable: infer, fixedArguments: ["--once", "--server", serverURL, "--source", cycleSource] + directories, lockFile: "infer.lock",
                        validate: { arguments in
                            let check = Process()
                            check.executableURL = URL(fileURLWithPath: infer)
                            check.arguments = arguments + ["--check-arguments"]
                            let errors = Pipe()
                            check.standardError = errors
                            check.standardOutput = FileHandle.nullDevice
                            do { try check.run() } catch { throw OpsError.badRequest("cannot run \(infer): \(error.localizedDescription)") }
                            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                            check.waitUntilExit()
                            guard check.terminationStatus == 0 else {
                                throw OpsError.badRequest(message.split(separator: "\n").first.map(String.init) ?? "mntrading-infer refused the settings")
                            }
                        }),
        ]
        let store = try locations.openProjectStore()
        let service: OpsService
        do {
            service = try OpsService(configuration: configuration, store: store, kinds: kinds, verify: RouterModel.verifier)
        } catch let error as OpsError {
            throw ValidationError(error.description)
        }
        let host = configuration.host
        try await service.run { port in
            // One line a script can wait for, as mntrading-serve prints; unbuffered.
            FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
        }
    }
}
