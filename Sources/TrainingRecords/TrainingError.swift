public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidArgument(String)
    case insufficientData(String)

    public var description: String {
        switch self {
        case let .invalidArgument(message), let .insufficientData(message): message
        }
    }
}
