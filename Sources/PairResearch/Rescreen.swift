/// One re-screen of a pair: the screen's rules on the screen's length of bars before `time`.
public struct Rescreen: Codable, Sendable, Equatable {
    /// The first scored bar it admits or stops (a fold's first test bar, or the holdout's).
    public var time: Int64
    public var pvalue: Double?
    /// nil: not enough bars in the store to re-screen, so the pair is not stopped.
    public var passed: Bool?
    public var reason: String?

    public init(time: Int64, pvalue: Double? = nil, passed: Bool? = nil, reason: String? = nil) {
        self.time = time
        self.pvalue = pvalue
        self.passed = passed
        self.reason = reason
    }
}
