import CLISupport
import ArgumentParser
import Foundation
import ModelFormat
import MarketData
import PairResearch
import Portfolio
import Training
import Basics
import DevTools
import TrainingRecords

/// Stops long work after the current unit on SIGINT/SIGTERM, so the store stays consistent.
enum Interruption {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0
    // nonisolated(unsafe): written only by the signal handler (an atomic sig_atomic_t store), read by polling.

    static func install() {
        signal(SIGINT) { _ in Interruption.flag = 1 }
        signal(SIGTERM) { _ in Interruption.flag = 1 }
    }

    static var requested: Bool { flag != 0 }
}
