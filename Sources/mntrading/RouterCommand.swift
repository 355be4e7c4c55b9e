import CLISupport
import ArgumentParser
import Foundation
import MarketData
import ModelFormat
import Scoring
import Training
import Basics
import DevTools
import Tracking

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
    @Option(help: "Registered model name.") var name: String = ModelStore.defaultModelName
    @Option(help: "Alias to point at the new version (empty: none).") var alias: String = ModelStore.defaultAlias
    @OptionGroup(title: "MLflow") var tracking: TrackingOptions
    @Flag(
        help:
            "Also register the version in the MLflow model registry (needs --tracking-uri): its files are uploaded to the training run, then a model version of --name is created from them and --alias moved to it."
    )
    var register = false

    func validate() throws {
        if register && tracking.uri() == nil {
            throw ValidationError(
                "--register needs a tracking server: --tracking-uri http://host:port (or \(EnvironmentVariable.trackingURI))"
            )
        }
    }

    func run() throws {
        // Never beside a pipeline or another batch stage over the same data directory.
        try location.locations.holdingBatchLock("mntrading router") { try runHoldingLock() }
    }

    private func runHoldingLock() throws {
        location.bootstrapLogging()
        let locations = location.locations
        let models = ModelStore(root: locations.modelsDirectory, verify: RouterModel.verifier)
        let store = try locations.openProjectStore()
        // The store verified the version by loading it (`RouterModel.verifier`): no second load to print it.
        let (version, directory, members) = try RouterBuilder(store: store, models: models)
            .build(name: name, alias: alias.isEmpty ? nil : alias)
        print("router \(name) version \(version): \(members) members → \(directory)")
        print("URI: models:/\(name)/\(version)" + (alias.isEmpty ? "" : " (models:/\(name)@\(alias))"))
        try tracking.log(store) {
            [
                try TrackedEntries.router(
                    directory: directory, name: name, register: register, alias: alias.isEmpty ? nil : alias,
                    experiment: tracking.experiment)
            ]
        }
    }
}
