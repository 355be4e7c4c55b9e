import CLISupport
import ArgumentParser
import Foundation
import MarketData
import PairResearch
import Basics
import DevTools

/// Hidden: the feature part of scripts/bench/bench-research.sh.
struct BenchFeatures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-features",
        abstract: "Benchmark the feature stage (used by scripts/bench/bench-research.sh).",
        shouldDisplay: false)

    @Option(transform: NumberRule.whole(1...10_000).parse) var pairs: Int = 50
    @Option(transform: NumberRule.whole(100...100_000_000).parse) var bars: Int = 100_000
    @Option(help: "Scratch directory for the store (deleted and recreated).") var scratch: String

    /// Every pair's bars are held at once: bounded so the benchmark fits in memory.
    func validate() throws {
        guard pairs * bars <= 200_000_000 else {
            throw ValidationError("--pairs × --bars must be at most 200000000 rows (got \(pairs * bars))")
        }
    }

    func run() throws {
        let timing = try FeatureBenchmark.run(pairs: pairs, bars: bars, scratchDirectory: scratch)
        print("features: \(timing.pairs) pairs x \(timing.bars) 5m bars (\(timing.rows) rows)")
        print(String(format: "  compute, one core       %7.3f s", timing.computeOneCore))
        print(String(format: "  compute, all cores      %7.3f s   (target <= 2 s)", timing.computeAllCores))
        print(String(format: "  compute + SQLite store  %7.3f s", timing.computeAndStore))
    }
}
