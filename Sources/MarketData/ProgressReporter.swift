import Foundation

/// A one-line progress bar on stderr for long work. It draws only when stderr is a terminal, so
/// logs and CI output stay clean; `.silent` draws nothing.
public final class ProgressReporter: @unchecked Sendable {
    // @unchecked Sendable: all mutable state is guarded by `lock`.
    public static let silent = ProgressReporter(enabled: false)

    private let enabled: Bool
    private let lock = NSLock()
    private var label = ""
    private var total = 1
    private var current = 0
    private var lastDrawn = -1
    private var started = Date()

    public init(enabled: Bool) { self.enabled = enabled }

    /// A bar on stderr when it is a terminal.
    public static func terminal() -> ProgressReporter { ProgressReporter(enabled: isatty(STDERR_FILENO) == 1) }

    public func start(_ label: String, total: Int) {
        lock.withLock {
            self.label = label
            self.total = max(total, 1)
            current = 0
            lastDrawn = -1
            started = Date()
            draw()
        }
    }

    public func advance(to value: Int) {
        lock.withLock {
            current = min(max(value, current), total)
            draw()
        }
    }

    public func advance(by value: Int = 1) {
        lock.withLock {
            current = min(current + value, total)
            draw()
        }
    }

    /// Clears the bar so that the next line printed starts clean.
    public func finish() {
        lock.withLock {
            guard enabled, lastDrawn >= 0 else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
            lastDrawn = -1
        }
    }

    private func draw() {
        guard enabled else { return }
        let width = 30
        let permille = current * 1000 / total
        guard permille != lastDrawn else { return }
        lastDrawn = permille
        let filled = permille * width / 1000
        let elapsed = Date().timeIntervalSince(started)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let line = "\r\u{1B}[2K\(label) \(bar) " + String(format: "%5.1f%% %5.1fs", Double(permille) / 10, elapsed)
        FileHandle.standardError.write(Data(line.utf8))
    }
}
