import CLISupport
import ArgumentParser
import Foundation
import HTTPClient
import Logging
import MarketData
import Basics

struct SyntheticTruth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthetic-truth",
        abstract: "Print the synthetic market's ground truth (symbols, planted pairs with β and half-life) as JSON."
    )

    @Option(help: "Seed of the synthetic market.")
    var seed: UInt64 = 42

    @Option(help: "Synthetic market profile.")
    var profile: SyntheticMarket.Profile = .default

    func run() throws {
        let data = try SyntheticGroundTruth.encoder().encode(SyntheticMarket(seed: seed, profile: profile).groundTruth)
        FileHandle.standardOutput.write(data)
        print()
    }
}
