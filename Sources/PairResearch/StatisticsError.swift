import Foundation

public enum StatisticsError: Error, Equatable, CustomStringConvertible {
    case tooFewObservations(Int, needed: Int)
    case maxLagTooLarge(Int, allowed: Int)
    case constantSeries
    case nonFinite
    case singular

    public var description: String {
        switch self {
        case let .tooFewObservations(count, needed): "too few observations (\(count); at least \(needed) needed)"
        case let .maxLagTooLarge(lag, allowed): "maxlag \(lag) is too large for the sample (at most \(allowed))"
        case .constantSeries: "constant series"
        case .nonFinite: "NaN or infinite values"
        case .singular: "singular regression (collinear regressors)"
        }
    }
}
