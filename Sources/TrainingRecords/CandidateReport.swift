import Foundation

/// One candidate tried on one pair: a trial, as the Deflated Sharpe Ratio and PBO count them.
public struct CandidateReport: Codable, Sendable, Equatable {
    public var candidate: String
    /// Out-of-fold backtest after costs, annualised.
    public var oofSharpe: Double
    /// The same per bar (not annualised): what the trial statistics compare.
    public var perBarSharpe: Double
    public var oofTrades: Int
    public var meanFoldAUC: Double?

    enum CodingKeys: String, CodingKey {
        case candidate, oofSharpe, perBarSharpe, oofTrades, meanFoldAUC = "meanFoldAuc"
    }

    public init(candidate: String, oofSharpe: Double, perBarSharpe: Double, oofTrades: Int, meanFoldAUC: Double? = nil)
    {
        self.candidate = candidate
        self.oofSharpe = oofSharpe
        self.perBarSharpe = perBarSharpe
        self.oofTrades = oofTrades
        self.meanFoldAUC = meanFoldAUC
    }
}
