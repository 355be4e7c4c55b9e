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

    /// The manifest of `writeVersion`'s router: `pairs` alternately uncalibrated and Platt-calibrated,
    /// at `thresholds` (0.6 each by default).
    public static func manifest(name: String = "router", version: Int, pairs: [String], thresholds: [Double]? = nil)
        -> RouterManifest
    {
        RouterManifest(
            name: name, version: version, createdAt: "2024-01-01T00:00:00Z", codeVersion: "test",
            trainingRun: "run",
            featureColumns: columns,
            featureParameters: .init(
                timeframe: "5m", betaWindow: 10, zWindow: 10, lagFeatures: 0, labelType: "z_threshold",
                zscoreThreshold: 1.2, horizon: 3),
            members: pairs.enumerated().map { index, pair in
                .init(
                    pair: pair, legs: pair.components(separatedBy: "__"), kind: "test",
                    file: RouterVersion.memberFile(pair: pair),
                    calibration: index % 2 == 0 ? .none : .platt(a: 1, b: 0), threshold: thresholds?[index] ?? 0.6,
                    trainingWindow: [], metrics: [:])
            })
    }

    /// `pairs`: the members, alternately the stump (no calibration) and the linear model (Platt);
    /// `thresholds`: theirs, 0.6 each by default.
    @discardableResult
    public static func writeVersion(
        _ store: ModelStore, name: String = "router", pairs: [String] = ["P1__X", "P2__Y"], thresholds: [Double]? = nil,
        tamper: ((String) throws -> Void)? = nil
    ) throws -> Int {
        try store.addVersion(name) { directory, version in
            try RouterVersion.write(
                manifest: manifest(name: name, version: version, pairs: pairs, thresholds: thresholds),
                members: try pairs.enumerated().map { index, pair in
                    (
                        RouterVersion.memberFile(pair: pair),
                        try ONNXMember.serialize(index % 2 == 0 ? stump : linear, name: pair)
                    )
                },
                exampleRows: nil, mlmodelUUID: "u", createdAt: Date(), into: directory)
            try tamper?(directory)
        }
    }
}
