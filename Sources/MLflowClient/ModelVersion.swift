/// A registered model version as the registry describes it.
public struct ModelVersion: Sendable, Equatable {
    public var name: String
    public var version: Int
    /// Where its files are: an `mlflow-artifacts:/…` URI (a run's artifact directory).
    public var source: String
    public var runID: String?
}
