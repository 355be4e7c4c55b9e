/// A pair's statistics in the screen that admitted it, as the training report shows them.
public struct ScreenFigures: Codable, Sendable {
    public var pvalue: Double?
    public var halfLifeBars: Double?
    public var corr: Double?
    public var beta: Double?

    public init(pvalue: Double?, halfLifeBars: Double?, corr: Double?, beta: Double?) {
        self.pvalue = pvalue
        self.halfLifeBars = halfLifeBars
        self.corr = corr
        self.beta = beta
    }
}
