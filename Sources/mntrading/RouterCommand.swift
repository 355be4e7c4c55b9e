import CLISupport
import ArgumentParser
import Foundation
import MarketData
import ModelFormat
import Scoring
import Training
import Basics
import DevTools

struct RouterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "router",
        abstract: "Bundle the selected champions into a new router version and move an alias to it.",
        discussion: """
            Writes <models-dir>/<name>/<version>/ (MLmodel, router.json, members/<pair>.onnx, \
            input_example.json) to a temporary directory and renames it into place, so a version is \
            never half-visible and never changes afterwards. Then points --alias at it.
            """
    )

    @OptionGroup var location: LocationOptions
    @Option(help: "Registered model name.") var name: String = "mntrading_router"
    @Option(help: "Alias to point at the new version (empty: none).") var alias: String = "champion"

    func run() throws {
        location.bootstrapLogging()
        let locations = location.locations
        let models = ModelStore(root: locations.modelsDirectory, verify: RouterModel.verifier)
        let (version, directory) = try RouterBuilder(store: try locations.openProjectStore(), models: models)
            .build(name: name, alias: alias.isEmpty ? nil : alias)
        let router = try RouterModel(directory: directory)
        print("router \(name) version \(version): \(router.pairs.count) members → \(directory)")
        print("URI: models:/\(name)/\(version)" + (alias.isEmpty ? "" : " (models:/\(name)@\(alias))"))
    }
}
