import Foundation

/// A flag set from one thread and read from another.
final class Flag: @unchecked Sendable {
    // @unchecked Sendable: `raised` is only touched under `lock`.
    private let lock = NSLock()
    private var raised = false

    func set() { lock.withLock { raised = true } }
    var value: Bool { lock.withLock { raised } }
}
