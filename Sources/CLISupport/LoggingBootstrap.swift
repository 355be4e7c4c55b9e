import ArgumentParser
import Foundation
import Logging
import MarketData

/// swift-log may be bootstrapped once per process.
public enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false
    // nonisolated(unsafe): commands run on the main thread only, before any other thread exists.

    /// Line-buffers standard output even into a pipe: a dashboard or a log collector reading a
    /// command's output sees each line when it is written, not when a 4 KiB buffer fills. Called
    /// at start, on the main thread, before any other thread writes.
    public static func lineBufferedOutput() {
        // The C library's `stdout` is a mutable global Swift 6 will not let code name; its address
        // is looked up instead (RTLD_DEFAULT is the null handle on glibc).
        guard let symbol = dlsym(nil, "stdout"),
            let file = symbol.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee
        else { return }
        setvbuf(file, nil, _IOLBF, 0)
    }

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
