import CXGBoost
import Foundation

/// Wall time spent inside libxgboost calls, so benchmarks can tell XGBoost's own time from ours.
/// Time spent in one kind of work, summed over threads: what the timing reports compare.
public final class TimeAccount: @unchecked Sendable {
    // @unchecked Sendable: `total` is only read and written under `lock`.
    /// Every libxgboost call.
    public static let xgboost = TimeAccount()
    /// The honesty machinery: cross-fitted calibration, every candidate's out-of-fold backtest, the
    /// holdout, and the run's trial statistics (DSR, PBO).
    public static let honesty = TimeAccount()
    private let lock = NSLock()
    private var total = 0.0

    public var seconds: Double { lock.withLock { total } }
    public func reset() { lock.withLock { total = 0 } }

    func measure<T>(_ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            lock.withLock { total += elapsed }
        }
        return try body()
    }
}
