import Basics
import MarketData
import Portfolio

/// Another run holds a lock this command needs: exit 75 (EX_TEMPFAIL, try again later), which a
/// timer tells apart from bad flags (64).
public struct LockBusy: ExitCodeProviding, CustomStringConvertible {
    public let description: String
    public var exitCode: Int32 { ProgramExit.busy }

    public init(_ description: String) { self.description = description }
}

extension Locations {
    /// Runs `body` holding `<data-dir>/pipeline.lock`: one batch run at a time over a data
    /// directory — the pipeline, or a stage run by hand — so that a report from one training run
    /// can never meet the selection and router of another. Inference cycles take their own lock.
    public func holdingBatchLock<T>(_ command: String, _ body: () throws -> T) throws -> T {
        let lock = CycleLock(locations: self, file: "pipeline.lock")
        do { try lock.acquire() } catch let busy as CycleLock.Busy {
            throw LockBusy(
                "\(command): a pipeline or another batch stage is running over \(dataDirectory) (\(busy)); try again when it ends"
            )
        }
        defer { lock.release() }
        return try body()
    }
}
