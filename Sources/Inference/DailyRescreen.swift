import Basics
import Foundation
import MarketData
import PairResearch
import Store
import TrainingRecords

/// Once a UTC day, every deployed pair is screened again with the screen's own rules (the training
/// run's screen: its timeframe, thresholds and window length) on the window that ends where the day
/// begins: the walk-forward re-screen training made before every scored period, continued live. A
/// pair it would no longer keep is `degraded` (no new entries) until a later re-screen keeps it.
struct DailyRescreen {
    let store: DataStore
    let parameters: ScreeningParameters
    /// The screen window's length, ms.
    let length: Int64

    /// The training run's screen, nil when this store does not hold it (a client on another
    /// machine than training): then no pair is re-screened.
    static func load(store: DataStore, trainingRun: String?) -> DailyRescreen? {
        guard let trainingRun,
            let datasetId = try? store.read({ db in try TrainingRunRecords.datasetId(db, runId: trainingRun) }),
            let dataset = try? store.read({ db in try DatasetRecord.load(db, id: datasetId) }),
            let screen = try? ScreenRecord.load(dataset.screeningRunId, store: store), let window = screen.window
        else { return nil }
        return DailyRescreen(store: store, parameters: screen.parameters, length: window[1] - window[0])
    }

    /// The re-screen of each pair at `day` (the day's first ms) on the stored bars before it.
    func check(_ pairs: [PairID], at day: Int64) throws -> [String: Rescreen] {
        var results: [String: Rescreen] = [:]
        for pair in pairs {
            let bars = try [pair.a, pair.b].map {
                try store.bars(symbol: $0, timeframe: parameters.timeframe, from: day - length, to: day)
            }
            results[pair.text] = WalkForwardScreen(
                parameters: parameters, length: length, a: pair.a, barsA: bars[0], b: pair.b, barsB: bars[1]
            )
            .check(at: day)
        }
        return results
    }
}
