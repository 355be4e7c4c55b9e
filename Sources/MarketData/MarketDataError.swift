import Foundation

public enum MarketDataError: Error, CustomStringConvertible, Equatable {
    case invalidArgument(String)
    case invalidData(String)
    case exchange(String)
    case store(String)

    public var description: String {
        switch self {
        case let .invalidArgument(message), let .invalidData(message), let .exchange(message), let .store(message):
            return message
        }
    }
}
