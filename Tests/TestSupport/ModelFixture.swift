import Basics
import Foundation
import ModelFormat

/// A hand-made router: member P1 is a stump on z (z < 0 → margin −1, else +1), member P2 a linear
/// model on z_velocity; calibration none for P1, Platt for P2.
public enum Fixture {
    public static let columns = ["z", "z_velocity"]

    public static var stump: MemberModel {
        .trees(
            TreeEnsemble(
                featureCount: 2, baseMargin: 0,
                trees: [
                    [
                        .init(feature: 0, threshold: 0, left: 1, right: 2, missingGoesLeft: true, leafValue: 0),
                        .init(feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false, leafValue: -1),
                        .init(feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false, leafValue: 1)
                    ]
                ]))
    }

    public static var linear: MemberModel {
        .linear(LinearModel(weights: [0, 2], intercept: 0.5, missingValues: [0, 0]))
    }

    public static func directory() -> String { (try? temporaryDirectory("models")) ?? NSTemporaryDirectory() }

    /// `pairs`: the members, alternately the stump (no calibration) and the linear model (Platt);
    /// `thresholds`: theirs, 0.6 each by default.
    @discardableResult
    public static func writeVersion(
        _ store: ModelStore, name: String = "router", pairs: [String] = ["P1__X", "P2__Y"], thresholds: [Double]? = nil,
        tamper: ((String) throws -> Void)? = nil
    ) throws -> Int {
        try store.addVersion(name) { directory, version in
            let members: [(String, MemberModel, Calibration, Double)] = pairs.enumerated().map { index, pair in
                (
                    pair, index % 2 == 0 ? stump : linear, index % 2 == 0 ? .none : .platt(a: 1, b: 0),
                    thresholds?[index] ?? 0.6
                )
            }
            let manifest = RouterManifest(
                name: name, version: version, createdAt: "2024-01-01T00:00:00Z", codeVersion: "test",
                trainingRun: "run",
                featureColumns: columns,
                featureParameters: .init(
                    timeframe: "5m", betaWindow: 10, zWindow: 10, lagFeatures: 0, labelType: "z_threshold",
                    zscoreThreshold: 1.2, horizon: 3),
                members: members.map {
                    .init(
                        pair: $0.0, legs: $0.0.components(separatedBy: "__"), kind: "test",
                        file: "members/\($0.0).onnx",
                        calibration: $0.2, threshold: $0.3, trainingWindow: [], metrics: [:])
                })
            try FileManager.default.createDirectory(atPath: directory + "/members", withIntermediateDirectories: true)
            for (pair, model, _, _) in members {
                try Data(try ONNXMember.serialize(model, name: pair)).write(
                    to: URL(fileURLWithPath: directory + "/members/\(pair).onnx"))
            }
            try ProjectJSON.encoder().encode(manifest).write(to: URL(fileURLWithPath: directory + "/router.json"))
            try MLmodelFile.render(manifest: manifest, uuid: "u", createdAt: Date()).write(
                toFile: directory + "/MLmodel", atomically: false, encoding: .utf8)
            try tamper?(directory)
        }
    }
}
