import Foundation

/// One thing to log to MLflow, as kept locally until a server has it: what a training run, a
/// selection or a router version adds to the MLflow run of its training run. Its files (the
/// artifacts, byte for byte) are kept beside it, so a later sync uploads exactly what was made.
public struct TrackedEntry: Codable, Sendable, Equatable {
    /// Whether the entry asks for a registered model version, and which alias then moves to it.
    public struct Registration: Codable, Sendable, Equatable {
        public var name: String
        public var alias: String?
        /// The artifact directory of the run that holds the model (MLmodel at its top).
        public var artifactPath: String
        public var localVersion: Int
    }

    /// Unique per thing logged: `train:<run>`, `select:<run>:<digest>`, `router:<name>:<version>`;
    /// recording the same key twice keeps the first, so reruns never duplicate.
    public var key: String
    public var experiment: String
    public var trainingRun: String
    public var runName: String
    public var params: [String: String] = [:]
    public var metrics: [String: Double] = [:]
    public var tags: [String: String] = [:]
    public var registration: Registration?

    public init(key: String, experiment: String, trainingRun: String, runName: String) {
        self.key = key
        self.experiment = experiment
        self.trainingRun = trainingRun
        self.runName = runName
    }
}
