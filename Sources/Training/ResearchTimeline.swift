import Foundation
import MarketData

/// Where the run's three periods lie: the screen's bars, the scored out-of-fold bars, the holdout.
public struct ResearchTimeline: Codable, Sendable, Equatable {
    public var screeningRunId: String?
    /// The screen's first bar's open and last bar's close (ms); nil: the pairs came from a file.
    public var screenWindow: [Int64]?
    /// The first bar any fold scored.
    public var firstScoredTime: Int64?
    public var holdoutStart: Int64?
    public var dataEnd: Int64?

    /// Why the out-of-fold figures are in sample, if they are.
    public var inSampleReason: String? {
        guard let screenWindow, screenWindow.count == 2 else {
            return screeningRunId == nil
                ? "the pairs came from a file, so the screen that chose them may have seen the scored bars"
                : "the screening run does not record its window"
        }
        guard let firstScoredTime else { return nil }
        if screenWindow[1] > firstScoredTime {
            return
                "the screen saw bars up to \(UTCTime.format(screenWindow[1])), after the first scored bar \(UTCTime.format(firstScoredTime))"
        }
        return nil
    }
}
