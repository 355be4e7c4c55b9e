import Foundation

public enum ModelFormatError: Error, CustomStringConvertible, Equatable {
    case invalidModel(file: String, problem: String)

    public var description: String {
        switch self {
        case let .invalidModel(file, problem): "\(file): \(problem)"
        }
    }
}
