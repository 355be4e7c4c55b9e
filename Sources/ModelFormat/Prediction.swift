import Foundation
import Basics

/// One scored row of an `/invocations` answer: what the server writes and the client reads, in one
/// type, so the two cannot drift apart.
public struct Prediction: Codable, Sendable, Equatable {
    public var pair: String
    /// Calibrated probability that the stretch reverts.
    public var proba: Double
    /// +1 long the spread, −1 short it, 0 none (see `RouterManifest.Member.signal`).
    public var signal: Int
    public var threshold: Double
    public var modelVersion: Int

    public init(pair: String, proba: Double, signal: Int, threshold: Double, modelVersion: Int) {
        self.pair = pair
        self.proba = proba
        self.signal = signal
        self.threshold = threshold
        self.modelVersion = modelVersion
    }

    /// `{"predictions": [...]}`, the answer's envelope.
    public struct Answer: Codable, Sendable, Equatable {
        public var predictions: [Prediction]

        public init(predictions: [Prediction]) { self.predictions = predictions }

        /// Numbers as MLflow writes them: non-finite ones as the strings NaN and ±Infinity.
        public static func decoder() -> JSONDecoder {
            let decoder = ProjectJSON.decoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(
                positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            return decoder
        }

        public static func encoder() -> JSONEncoder {
            let encoder = ProjectJSON.encoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            return encoder
        }
    }
}
