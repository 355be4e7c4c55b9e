import Basics
import Foundation
import ArgumentParser
import Portfolio
import MarketData

/// How long a hand-run `aggregate` or `report` waits for an inference cycle that holds the lock.
public struct CycleLockOptions: ParsableArguments {
    @Option(help: .hidden, transform: NumberRule.number(0...86_400, unit: "seconds").parse) public var lockWait:
        Double = 30

    public init() {}

    /// Runs `body` holding the cycle lock, so its writes never interleave with a cycle's.
    public func whileHolding<T>(_ locations: Locations, _ body: () throws -> T) throws -> T {
        do {
            return try CycleLock(locations: locations).whileHolding(waitingUpTo: lockWait, body)
        } catch let busy as CycleLock.Busy {
            throw LockBusy(
                "an inference cycle is still running after \(String(format: "%g", lockWait)) s (\(busy)); try again when it ends"
            )
        }
    }
}
