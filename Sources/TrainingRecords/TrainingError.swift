/// What the batch side's stages throw besides a setting out of its rules (`SettingError`, 64);
/// each case has its exit code (`ProgramExit`).
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// What a stage reads is not there yet: an earlier stage has to run first (64, as a command
    /// used out of order).
    case missingInput(String)
    /// Data that cannot be used: too short for the folds and the holdout, say (65).
    case insufficientData(String)
    /// Stopped on request (SIGINT/SIGTERM) after the unit in progress; a rerun resumes (130).
    case interrupted(String)

    public var description: String {
        switch self {
        case let .missingInput(message), let .insufficientData(message), let .interrupted(message): message
        }
    }
}
