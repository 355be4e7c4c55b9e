import Foundation

/// Deterministic terms of a unit-root regression, named as statsmodels names them.
public enum TrendTerm: String, Sendable, Codable, CaseIterable {
    case none = "n", constant = "c", constantTrend = "ct"

    var count: Int {
        switch self {
        case .none: 0
        case .constant: 1
        case .constantTrend: 2
        }
    }

    var tableRegression: MacKinnonTables.Regression {
        switch self {
        case .none: .n
        case .constant: .c
        case .constantTrend: .ct
        }
    }
}
