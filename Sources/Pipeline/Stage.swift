import MarketData
import Training

/// One step of the batch side, as both its own command and `mntrading pipeline` run it.
///
/// A stage is a value that knows the store it works on; its `Settings` say what to do. The
/// pipeline skips it when its fingerprint (its settings and `inputs`, the state of what it reads)
/// is the one recorded when it last completed and `stored` still finds what it made; otherwise it
/// runs it. What a stage makes is kept in the store, so the stage after it reads it from there
/// (files such as report.json are exports of it, never read back).
public protocol Stage: Sendable {
    associatedtype Settings: Encodable & Sendable
    associatedtype Inputs: Encodable
    associatedtype Output

    /// How the pipeline names it, in its lines and in `pipeline_stages`.
    func name(_ settings: Settings) -> String
    /// The state of what it reads, as the store holds it now.
    func inputs(_ settings: Settings) throws -> Inputs
    /// What it made when it last ran, as the store keeps it; nil when there is none (or it was
    /// removed), and then the stage runs whatever its fingerprint.
    func stored(_ settings: Settings) throws -> Output?
    /// Runs it: its output and the one line the pipeline prints for it.
    func run(_ settings: Settings, _ context: StageContext) throws -> (output: Output, summary: String)
}

/// What every stage is run with.
public struct StageContext: Sendable {
    public var progress: ProgressReporter
    /// Ctrl-C: honoured between stages, and within training between pairs.
    public var shouldStop: @Sendable () -> Bool
    /// Where training counts its XGBoost and honesty time, for `--timing` (`.none`: nowhere).
    public var timing: TrainingTiming

    public init(
        progress: ProgressReporter = .silent,
        shouldStop: @escaping @Sendable () -> Bool = { false }, timing: TrainingTiming = .none
    ) {
        self.progress = progress
        self.shouldStop = shouldStop
        self.timing = timing
    }
}

/// Stages that read nothing beyond their settings.
public struct NoInputs: Encodable, Sendable {
    public init() {}
}
