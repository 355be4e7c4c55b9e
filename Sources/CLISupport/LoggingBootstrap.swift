import ArgumentParser
import Foundation
import Logging
import MarketData

/// swift-log may be bootstrapped once per process.
public enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false
    // nonisolated(unsafe): commands run on the main thread only, before any other thread exists.

    public static func once(level: Logger.Level) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
