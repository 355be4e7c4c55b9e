import Foundation
import Logging
import ModelFormat
import ServiceLifecycle

/// Hot swap, as a service beside the HTTP server: when serving an alias, a moved alias is loaded
/// and warmed beside the serving version, then swapped in at once. A version that fails to load is
/// logged and counted, and the old one keeps serving; it is not retried until the alias moves again.
struct AliasWatcher: Service {
    let service: ScoringService

    func run() async throws {
        let configuration = service.configuration
        guard configuration.reloadInterval > 0, configuration.modelURI.hasPrefix("models:/"), configuration.modelURI.contains("@") else {
            // Nothing to follow; a service that returns would end the whole group, the server with it.
            try? await gracefulShutdown()
            return
        }
        let store = ModelStore(root: configuration.modelsDirectory)
        var rejected: String?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(nanoseconds: UInt64(configuration.reloadInterval * 1_000_000_000))
            let current = service.slot.router
            guard let resolved = try? store.resolve(configuration.modelURI),
                  resolved.directory != current.directory, resolved.directory != rejected else { continue }
            do {
                let router = try ScoringService.prepare(resolved.directory, warmup: configuration.warmup, logger: service.logger)
                service.slot.install(router)
                service.metrics.recordReload(succeeded: true)
                service.logger.notice("\(configuration.modelURI) moved: now serving version \(router.manifest.version)")
            } catch {
                rejected = resolved.directory
                service.metrics.recordReload(succeeded: false)
                service.logger.error("\(configuration.modelURI) moved to \(resolved.directory), which failed to load; still serving version \(current.manifest.version): \(error)")
            }
        }
    }
}
