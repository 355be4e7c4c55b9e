import MarketData
import PairResearch
import Portfolio
import Store
import TrainingRecords

extension Locations {
    /// The store under `--data-dir` with the tables both programs read and write; `mntrading` adds
    /// the pipeline's own.
    public func openStore(adding schemas: [StoreSchema] = []) throws -> DataStore {
        try DataStore(
            dataDirectory: dataDirectory, schemas: [.marketData, .pairResearch, .training, .portfolio] + schemas)
    }
}
