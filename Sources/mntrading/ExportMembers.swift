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

/// Hidden: ONNX members of the latest training run with check data, for scripts/checks/check-onnx.py.
struct ExportMembers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-members",
        abstract: "Write the latest run's models as ONNX with check data (for scripts/checks/check-onnx.py).",
        shouldDisplay: false)

    @OptionGroup var location: LocationOptions
    @Option(help: "Directory for <pair>.onnx and <pair>.check.json.") var out: String

    func run() throws {
        let files = try MemberExport(store: try location.locations.openProjectStore()).write(to: out)
        for file in files { print(file) }
    }
}
