import Foundation

public struct CointegrationResult: Sendable, Codable, Equatable {
    /// ADF statistic of the residuals; −∞ when the series are (almost) perfectly collinear.
    public var statistic: Double
    /// MacKinnon (1994) approximate p-value for N = 2.
    public var pValue: Double
    /// MacKinnon (2010) critical values for N = 2, with a constant.
    public var criticalValues: CriticalValues
    public var usedLag: Int
    public var beta: Double
    public var alpha: Double
    public var observations: Int
    public var collinear: Bool
}
