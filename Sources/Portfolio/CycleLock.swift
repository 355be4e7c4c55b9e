import Foundation
import MarketData
import Store

/// An exclusive lock on `<data-dir>/infer.lock` (flock(2)) around everything that writes signals,
/// orders and reports: two inference cycles never run at once (a cron job that overlaps a slow one,
/// a manual `--once` beside the timer), and a hand-run `aggregate` or `report` waits for the cycle
/// in progress instead of interleaving its writes with it. The kernel drops the lock when the
/// process dies, even by kill -9, so a crash never leaves a stale lock behind.
public final class CycleLock {
    /// The lock is held by another process; `holder` is its pid when it wrote one.
    public struct Busy: Error, CustomStringConvertible {
        public var path: String
        public var holder: String
        public var description: String { "lock \(path) is held\(holder.isEmpty ? "" : " by pid \(holder)")" }
    }

    public let path: String
    private var descriptor: Int32 = -1

    /// `file`: `infer.lock` for everything that writes signals, orders and reports;
    /// `pipeline.lock` for the pipeline, so two pipelines (a cron job, a dashboard button) never
    /// interleave while inference cycles go on beside them.
    public init(locations: Locations, file: String = "infer.lock") {
        path = locations.dataPath(file)
    }

    /// Whether another process holds the lock now (its pid, or "" when it wrote none); nil when free.
    public static func holder(locations: Locations, file: String) -> String? {
        let lock = CycleLock(locations: locations, file: file)
        do {
            try lock.acquire()
            lock.release()
            return nil
        } catch let busy as Busy {
            return busy.holder
        } catch {
            return nil
        }
    }

    /// Takes the lock, trying for up to `seconds` (0: once), or throws `Busy`.
    public func acquire(waitingUpTo seconds: Double = 0) throws {
        guard descriptor < 0 else { return }
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        } catch {
            throw MarketDataError.store(
                "cannot create data directory '\((path as NSString).deletingLastPathComponent)': \(DataStore.reason(error))"
            )
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw MarketDataError.store("cannot open lock file \(path): \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(seconds)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard Date() < deadline else {
                let holder =
                    (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(
                        in: .whitespacesAndNewlines) ?? ""
                close(fd)
                throw Busy(path: path, holder: holder)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        // The holder's pid, for whoever finds the lock taken.
        _ = ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
        descriptor = fd
    }

    /// Runs `body` holding the lock (trying for up to `seconds` to get it, else `Busy`).
    public func whileHolding<T>(waitingUpTo seconds: Double = 0, _ body: () throws -> T) throws -> T {
        try acquire(waitingUpTo: seconds)
        defer { release() }
        return try body()
    }

    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
