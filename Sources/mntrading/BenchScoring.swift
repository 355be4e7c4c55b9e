import CLISupport
import ArgumentParser
import Foundation
import MarketData
import ModelFormat
import Scoring
import Training
import Basics
import DevTools

/// Hidden: the Swift half of scripts/bench/bench-scoring.sh.
struct BenchScoring: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-scoring", abstract: "Benchmark member scoring (used by scripts/bench/bench-scoring.sh).",
        shouldDisplay: false)
    @Option(help: "Scratch directory for the benchmark model and rows.") var scratch: String

    func run() throws {
        let timing = try ScoringBenchmark.run(directory: scratch)
        FileHandle.standardOutput.write(try ProjectJSON.encoder(pretty: false).encode(timing))
        print()
    }
}
