import ArgumentParser
import Basics
import CLISupport
import Foundation
import MLflowClient
import Tracking

struct Track: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "MLflow tracking: send the runs a tracking server does not have yet.",
        subcommands: [Sync.self]
    )

    struct Sync: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Log to MLflow every training run, selection and router version recorded while the server was unreachable.",
            discussion: """
                With --tracking-uri (or \(EnvironmentVariable.trackingURI)), train, select, router and pipeline record what \
                they log in the store before sending it. This sends what the server lacks, oldest first, \
                each once: a second sync logs nothing. A registered model version is created only after its \
                files are uploaded. Exit 1 with one line when the server cannot be reached or refuses.
                Example: mntrading track sync --tracking-uri http://127.0.0.1:5000
                """
        )

        @OptionGroup var location: LocationOptions
        @OptionGroup(title: "MLflow") var tracking: TrackingOptions

        func run() throws {
            location.bootstrapLogging()
            guard let uri = tracking.uri() else {
                throw ValidationError(
                    "a tracking server is required: --tracking-uri http://host:port (or \(EnvironmentVariable.trackingURI))"
                )
            }
            let tracker = Tracker(store: try location.locations.openProjectStore())
            do {
                let outcome = try tracker.sync(try MLflowClient(trackingURI: uri))
                print(Tracker.summary(outcome, trackingURI: uri))
            } catch let error as MLflowError {
                let left = (try? tracker.pending(trackingURI: uri).count) ?? 0
                FileHandle.standardError.write(
                    Data("error: \(error); \(left) entr\(left == 1 ? "y" : "ies") still to send\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}
