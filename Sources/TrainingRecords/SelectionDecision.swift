/// What selection decided about one trained pair, and the figures it decided on (`selections`).
public struct SelectionDecision: Codable, Sendable, Equatable {
    public var pair: String
    public var selected: Bool
    public var reason: String
    public var rank: Int?
    /// The screen's p-value: in sample, the screen chose the pair on it.
    public var screenPvalue: Double?
    /// Out of fold, after costs.
    public var sharpe: Double?
    public var trades: Int?
    public var deflatedSharpe: Double?
    public var holdoutSharpe: Double?
    public var holdoutTrades: Int?
    public var maxDrawdown: Double?
    public var oofRocAuc: Double?

    public init(
        pair: String, selected: Bool, reason: String, rank: Int? = nil, screenPvalue: Double? = nil,
        sharpe: Double? = nil, trades: Int? = nil, deflatedSharpe: Double? = nil, holdoutSharpe: Double? = nil,
        holdoutTrades: Int? = nil, maxDrawdown: Double? = nil, oofRocAuc: Double? = nil
    ) {
        self.pair = pair
        self.selected = selected
        self.reason = reason
        self.rank = rank
        self.screenPvalue = screenPvalue
        self.sharpe = sharpe
        self.trades = trades
        self.deflatedSharpe = deflatedSharpe
        self.holdoutSharpe = holdoutSharpe
        self.holdoutTrades = holdoutTrades
        self.maxDrawdown = maxDrawdown
        self.oofRocAuc = oofRocAuc
    }
}
