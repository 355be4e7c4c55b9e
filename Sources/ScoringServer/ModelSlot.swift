import Foundation
import Scoring

/// The router being served, swapped atomically when the alias moves; empty while a server that
/// could not load its model at start waits for one (`problem` says why).
final class ModelSlot: @unchecked Sendable {
    // @unchecked Sendable: `loaded` and `problem` are read and written only under `lock`.
    private let lock = NSLock()
    private var loaded: RouterModel?
    private var problem: String?

    init(_ router: RouterModel?, problem: String? = nil) {
        loaded = router
        self.problem = problem
    }

    var router: RouterModel? { lock.withLock { loaded } }

    /// Why there is no model (nil once one is loaded).
    var missingReason: String? { lock.withLock { loaded == nil ? problem ?? "no model loaded yet" : nil } }

    func install(_ router: RouterModel) {
        lock.withLock {
            loaded = router
            problem = nil
        }
    }

    func stillMissing(_ reason: String) { lock.withLock { problem = reason } }
}
