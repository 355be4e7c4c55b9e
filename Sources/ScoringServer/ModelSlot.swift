import Foundation
import Scoring

/// The router being served, swapped atomically when the alias moves.
final class ModelSlot: @unchecked Sendable {
    // @unchecked Sendable: `loaded` is read and written only under `lock`.
    private let lock = NSLock()
    private var loaded: RouterModel

    init(_ router: RouterModel) { loaded = router }

    var router: RouterModel { lock.withLock { loaded } }

    func install(_ router: RouterModel) { lock.withLock { loaded = router } }
}
