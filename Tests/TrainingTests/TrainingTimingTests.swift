import Foundation
import MarketData
import Testing
import TrainingRecords
@testable import Training

/// The `--timing` reports' accounts are the run's own: a trainer counts into the ones it was given,
/// and a trainer given none counts nothing and trains the same models.
struct TrainingTimingTests {
    @Test func aTrainerCountsIntoItsOwnAccounts() throws {
        let dataset = try HonestyTests.dataset(profile: .independent, pair: ("SYNA1USDT", "SYNA0USDT"))
        let timing = TrainingTiming()
        let timed = try PairTrainer(settings: HonestyTests.settings, timing: timing).train(dataset)
        #expect(timed.status == "trained", "\(timed.reason ?? "")")
        #expect(timing.xgboost.seconds > 0 && timing.honesty.seconds > 0)
        let untimed = try PairTrainer(settings: HonestyTests.settings, timing: .none).train(dataset)
        #expect(untimed.model == timed.model)
        #expect(TrainingTiming.none.xgboost.seconds == 0 && TrainingTiming.none.honesty.seconds == 0)
    }
}
