import Foundation
import Hummingbird
import Logging

public struct LocalServerDidNotStart: Error {}

/// Runs `body` with `router` served on 127.0.0.1 and an ephemeral port (its base URL is the
/// argument); the server stops when `body` returns or throws. For fixture servers in tests.
public func withLocalServer<T: Sendable>(
    _ router: Router<BasicRequestContext>, label: String,
    _ body: @Sendable (String) async throws -> T
) async throws -> T {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    var logger = Logger(label: label)
    logger.logLevel = .critical
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
        logger: logger)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await app.run()
            return nil
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw LocalServerDidNotStart() }
        defer { group.cancelAll() }
        return try await body("http://127.0.0.1:\(port)")
    }
}

/// Runs blocking work (curl calls, child processes) on its own thread, so it never occupies one of
/// the few threads of Swift's cooperative pool that the in-process server also needs.
public func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
