import Foundation

/// An error reported by libxgboost, with its own message (`XGBGetLastError`).
public struct XGBoostError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { "xgboost: \(message)" }
}
