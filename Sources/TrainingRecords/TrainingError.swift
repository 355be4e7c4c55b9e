public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case invalidArgument(String)
    case insufficientData(String)
    /// Stopped on request (SIGINT/SIGTERM) after the unit in progress; a rerun resumes.
    case interrupted(String)

    public var description: String {
        switch self {
        case let .invalidArgument(message), let .insufficientData(message), let .interrupted(message): message
        }
    }
}
