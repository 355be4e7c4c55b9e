import Foundation
import Logging
import ModelFormat
import Scoring
import ServiceLifecycle

/// Beside the HTTP server, as a service: loads the model a server started without (it could not
/// load it at start, and waits rather than exit into a restart loop), and follows a
/// `models:/<name>@<alias>` URI (hot swap): a moved alias is loaded and warmed beside the serving
/// version, then swapped in at once. Every change it cannot follow (a missing version, an
/// unreadable or deleted aliases.json, a version that fails to load) is logged with its reason and
/// counted once, and the version serving goes on serving; a rejected version is not retried until
/// the alias moves again.
struct ModelWatcher: Service {
    let service: ScoringService

    func run() async throws {
        let configuration = service.configuration
        let followsAlias =
            configuration.reloadInterval > 0
            && ModelStore(root: configuration.modelsDirectory).aliasesFile(for: configuration.modelURI) != nil
        // Without hot swap, a server still waiting for its model retries at the default interval.
        let interval = configuration.reloadInterval > 0 ? configuration.reloadInterval : 5
        var watcher = Watcher(service: service)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            guard followsAlias || service.slot.router == nil else {
                // Nothing to follow; a service that returns would end the whole group, the server with it.
                try? await gracefulShutdown()
                return
            }
            try? await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
            watcher.check()
        }
    }

    /// One check; remembers the last problem, and the aliases.json it came from, so that each
    /// change is logged and counted once (two different bad files with the same error are two).
    struct Watcher {
        let service: ScoringService
        var lastProblem: String?
        var rejected: String?

        /// The bytes of the URI's aliases.json (nil: absent or not an alias URI).
        var aliasesState: Data? {
            let configuration = service.configuration
            return ModelStore(root: configuration.modelsDirectory).aliasesFile(for: configuration.modelURI).flatMap(
                FileManager.default.contents(atPath:))
        }

        mutating func check() {
            let configuration = service.configuration
            let current = service.slot.router
            let resolved: String
            do {
                resolved = try ModelStore(root: configuration.modelsDirectory).resolve(configuration.modelURI).directory
            } catch {
                report("\(configuration.modelURI) cannot be followed: \(error)", current: current)
                return
            }
            guard resolved != current?.directory, resolved != rejected else {
                if resolved == current?.directory { lastProblem = nil }
                return
            }
            do {
                let router = try ScoringService.prepare(resolved, warmup: configuration.warmup, logger: service.logger)
                service.slot.install(router)
                lastProblem = nil
                rejected = nil
                if current != nil { service.metrics.recordReload(succeeded: true) }
                service.logger.notice("\(configuration.modelURI): now serving version \(router.manifest.version)")
            } catch {
                rejected = resolved
                report(
                    "\(configuration.modelURI) points at \(resolved), which failed to load: \(error)", current: current)
            }
        }

        mutating func report(_ problem: String, current: RouterModel?) {
            let key = problem + "\u{0}" + (aliasesState.map { $0.base64EncodedString() } ?? "absent")
            guard key != lastProblem else { return }
            lastProblem = key
            service.metrics.recordReload(succeeded: false)
            if let current {
                service.logger.error("\(problem); still serving version \(current.manifest.version)")
            } else {
                service.slot.stillMissing(problem)
                service.logger.error("\(problem); no model to serve yet, /ping answers 503")
            }
        }
    }
}
