import CLISupport
import MarketData
import Pipeline
import Store
import Tracking

extension Locations {
    /// Every table of the project, the pipeline's included.
    func openProjectStore() throws -> DataStore { try openStore(adding: [.pipeline, .tracking]) }
}
