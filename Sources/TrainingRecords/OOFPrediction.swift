/// One out-of-fold prediction of a pair's champion (`oof_predictions`).
public struct OOFPrediction: Codable, Sendable, Equatable {
    public var time: Int64
    public var fold: Int
    public var raw: Double
    public var calibrated: Double
    public var label: Int

    public init(time: Int64, fold: Int, raw: Double, calibrated: Double, label: Int) {
        self.time = time
        self.fold = fold
        self.raw = raw
        self.calibrated = calibrated
        self.label = label
    }
}
