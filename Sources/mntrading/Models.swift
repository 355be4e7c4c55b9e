import CLISupport
import ArgumentParser
import Foundation
import MarketData
import ModelFormat
import Scoring
import Training
import Basics
import DevTools

struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect and manage router versions: list, show, alias (promote or roll back), predict.",
        subcommands: [List.self, Show.self, Alias.self, Predict.self, Example.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every model name, its versions and aliases.")
        @OptionGroup var location: LocationOptions

        func run() throws {
            let models = ModelStore(root: location.locations.modelsDirectory)
            let names = models.names()
            guard !names.isEmpty else {
                print("no models in \(models.root)")
                return
            }
            for name in names {
                let aliases = try models.aliases(name).sorted { $0.key < $1.key }.map { "\($0.key)→\($0.value)" }
                    .joined(separator: ", ")
                print(
                    "\(name): versions \(models.versions(name).map(String.init).joined(separator: ", "))"
                        + (aliases.isEmpty ? "" : "; aliases \(aliases)"))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load a version and print its manifest summary.")
        @OptionGroup var location: LocationOptions
        @Argument(help: "models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/latest or a path.") var uri:
            String

        func run() throws {
            let resolved = try ModelStore(root: location.locations.modelsDirectory).resolve(uri)
            let router = try RouterModel(directory: resolved.directory)
            let manifest = router.manifest
            print(
                "\(manifest.name) version \(manifest.version) (format \(manifest.formatVersion)), created \(manifest.createdAt), \(manifest.codeVersion)"
            )
            print("directory: \(resolved.directory)")
            print("features (\(manifest.featureColumns.count)): \(manifest.featureColumns.joined(separator: ", "))")
            let parameters = manifest.featureParameters
            print(
                "feature parameters: \(parameters.timeframe) bars, beta window \(parameters.betaWindow), z window \(parameters.zWindow), \(parameters.lagFeatures) lags"
            )
            for member in manifest.members {
                let auc = member.metrics["oof_roc_auc"].map { String(format: "%.3f", $0) } ?? "-"
                print(
                    "  \(member.pair): \(member.kind), threshold \(member.threshold), OOF AUC \(auc), trained \(member.trainingWindow.joined(separator: " … "))"
                )
            }
        }
    }

    struct Alias: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point an alias at a version (promote, or roll back).")
        @OptionGroup var location: LocationOptions
        @Argument(help: "Model name.") var name: String
        @Argument(help: "Alias, e.g. champion.") var alias: String
        @Argument(help: "Version number.") var version: Int

        func run() throws {
            try ModelStore(root: location.locations.modelsDirectory, verify: RouterModel.verifier).setAlias(
                name, alias: alias, version: version)
            print("\(name)@\(alias) → version \(version)")
        }
    }

    struct Predict: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score a file as /invocations would (like `mlflow models predict`).",
            discussion:
                "The input is an /invocations body: JSON (dataframe_split, dataframe_records, instances or inputs) or CSV."
        )
        @OptionGroup var location: LocationOptions
        @Option(name: [.short, .customLong("model-uri")], help: "Model URI or path inside the models directory.")
        var modelURI: String
        @Option(name: [.short, .customLong("input-path")], help: "Request body file.") var input: String
        @Option(name: [.short, .customLong("output-path")], help: "Write the answer here (default: stdout).")
        var output: String?
        @Option(name: .customLong("content-type"), help: "json or csv.") var contentType: String = "json"

        func run() throws {
            guard ["json", "csv"].contains(contentType) else {
                throw ValidationError("--content-type must be json or csv")
            }
            let locations = location.locations
            let router = try RouterModel(
                directory: try ModelStore(root: locations.modelsDirectory).resolve(modelURI).directory)
            guard let body = FileManager.default.contents(atPath: input) else {
                throw ValidationError("cannot read input file '\(input)'")
            }
            let answer = try router.invoke(
                body: [UInt8](body), contentType: contentType == "json" ? "application/json" : "text/csv")
            if let output {
                try AtomicFile.write(Data(answer), to: output)
            } else {
                FileHandle.standardOutput.write(Data(answer))
                print()
            }
        }
    }

    struct Example: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a valid /invocations body for a model, in any input shape the protocol takes.",
            discussion: """
                The rows are the model's input_example.json (the newest bar of every member when it was \
                built), reshaped. For example:
                  mntrading models example -m models:/mntrading_router@champion --shape dataframe_records > body.json
                  curl -s http://127.0.0.1:5001/invocations -H 'Content-Type: application/json' --data-binary @body.json
                """)
        enum Shape: String, ExpressibleByArgument, CaseIterable {
            case dataframeSplit = "dataframe_split", dataframeRecords = "dataframe_records", instances, inputs, csv
        }
        @OptionGroup var location: LocationOptions
        @Option(name: [.short, .customLong("model-uri")], help: "Model URI or path inside the models directory.")
        var modelURI: String
        @Option(help: "dataframe_split, dataframe_records, instances, inputs (JSON) or csv.") var shape: Shape =
            .dataframeSplit

        func run() throws {
            let directory = try ModelStore(root: location.locations.modelsDirectory).resolve(modelURI).directory
            let path = (directory as NSString).appendingPathComponent(RouterVersion.exampleFile)
            guard let data = try RouterVersion.example(in: directory),
                let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let split = object["dataframe_split"] as? [String: Any], let columns = split["columns"] as? [String],
                let rows = split["data"] as? [[Any]]
            else {
                throw ValidationError("\(path) is not a dataframe_split example")
            }
            let records = rows.map { Dictionary(uniqueKeysWithValues: zip(columns, $0)) }
            let body: Any
            switch shape {
            case .dataframeSplit: body = object
            case .dataframeRecords: body = ["dataframe_records": records]
            case .instances: body = ["instances": records]
            case .inputs:
                body = [
                    "inputs": Dictionary(
                        uniqueKeysWithValues: columns.enumerated().map { index, column in
                            (column, rows.map { $0[index] })
                        })
                ]
            case .csv:
                print(
                    ([columns.joined(separator: ",")] + rows.map { row in row.map { "\($0)" }.joined(separator: ",") })
                        .joined(separator: "\n"))
                return
            }
            FileHandle.standardOutput.write(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
            print()
        }
    }
}
