import Foundation
import MarketData

/// An exclusive lock on `<data-dir>/infer.lock` (flock(2)), so two cycles never run at once — a
/// cron job that overlaps a slow one, or a manual `--once` beside the timer. The kernel drops the
/// lock when the process dies, even by kill -9, so a crash never leaves a stale lock behind.
public final class CycleLock {
    public let path: String
    private var descriptor: Int32 = -1

    public init(locations: Locations) {
        path = locations.dataPath("infer.lock")
    }

    /// Takes the lock or throws `InferenceError.busy` at once; never waits.
    public func acquire() throws {
        guard descriptor < 0 else { return }
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw MarketDataError.store("cannot create the data directory for \(path): \(MarketStore.reason(error))")
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw MarketDataError.store("cannot open lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw InferenceError.busy("another inference cycle is running (lock \(path)\(holder.isEmpty ? "" : ", pid \(holder)")); skipped")
        }
        // The holder's pid, for whoever finds the lock taken.
        _ = ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        descriptor = fd
    }

    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
