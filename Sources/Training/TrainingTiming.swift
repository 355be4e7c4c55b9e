import Foundation

/// Where a training run's time goes, for `mntrading train --timing` and `mntrading pipeline --timing`
/// (scripts/bench/bench-train.sh compares XGBoost's own time with ours). Handed to the trainer by
/// whoever reports it, rather than kept in process-wide counters, so that runs in one process (the
/// tests, a pipeline and its stages) never add into each other's figures, and code timed for no
/// one reads no clock.
public struct TrainingTiming: Sendable {
    /// Every libxgboost call.
    public let xgboost: TimeAccount
    /// The honesty machinery: cross-fitted calibration, every candidate's out-of-fold backtest, the
    /// holdout, and the run's trial statistics (DSR, PBO).
    public let honesty: TimeAccount

    /// Nothing counted: what the trainer takes unless told otherwise.
    public static let none = TrainingTiming(xgboost: .none, honesty: .none)

    /// Fresh accounts that count, for one report.
    public init() { self.init(xgboost: TimeAccount(), honesty: TimeAccount()) }

    init(xgboost: TimeAccount, honesty: TimeAccount) {
        self.xgboost = xgboost
        self.honesty = honesty
    }
}

/// Time spent in one kind of work, summed over threads.
public final class TimeAccount: @unchecked Sendable {
    // @unchecked Sendable: `total` is only read and written under `lock`; `counting` never changes.
    /// Keeps nothing and reads no clock.
    public static let none = TimeAccount(counting: false)
    private let counting: Bool
    private let lock = NSLock()
    private var total = 0.0

    public convenience init() { self.init(counting: true) }

    private init(counting: Bool) { self.counting = counting }

    public var seconds: Double { lock.withLock { total } }

    func measure<T>(_ body: () throws -> T) rethrows -> T {
        guard counting else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            lock.withLock { total += elapsed }
        }
        return try body()
    }
}
