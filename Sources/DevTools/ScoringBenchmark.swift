import Foundation
import ModelFormat
import Scoring
import Training
import TrainingRecords

/// The Swift half of scripts/bench/bench-scoring.sh: a 200-tree, depth-6 gbdt on 24 features, written as
/// ONNX for onnxruntime to time on the same rows; our evaluator and XGBoost timed here, one thread.
public enum ScoringBenchmark {
    public struct Timing: Codable, Sendable {
        public var nativeOneRowMicros: Double
        public var nativeBatchMicrosPerRow: Double
        public var xgboostOneRowMicros: Double
        public var xgboostBatchMicrosPerRow: Double
        public var routerLoadAndWarmMillis: Double
        public var members: Int
    }

    public static func run(
        directory: String, trees: Int = 200, depth: Int = 6, features: Int = 24, batch: Int = 10_000,
        routerMembers: Int = 20
    ) throws -> Timing {
        var seed: UInt64 = 12345
        func uniform() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Double(seed >> 11) * 0x1.0p-53
        }
        let rows = 20_000
        var values: [Double] = []
        var labels: [Int] = []
        for _ in 0..<rows {
            let row = (0..<features).map { _ in uniform() * 2 - 1 }
            values += row
            labels.append(row[0] + row[1] * row[2] - 0.5 * row[3] + 0.3 * (uniform() - 0.5) > 0 ? 1 : 0)
        }
        var settings = FitSettings()
        settings.threads = 1
        let candidate = Candidate(kind: .gbdt, maxDepth: depth, learningRate: 0.1)
        let model = try FittedModel.fit(
            candidate, values: values, columns: features, labels: labels, fit: Array(0..<rows),
            validation: [], settings: settings, fixedRounds: trees)
        let member = try XGBoostExport.member(fromJSON: try model.booster.saveJSON())
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(try ONNXMember.serialize(member, name: "bench")).write(
            to: URL(fileURLWithPath: directory + "/bench.onnx"))
        let batchValues = (0..<(batch * features)).map { _ in Float(uniform() * 2 - 1) }
        try JSONSerialization.data(withJSONObject: ["features": features, "batch": batch])
            .write(to: URL(fileURLWithPath: directory + "/bench.json"))
        try Data(batchValues.withUnsafeBufferPointer { Data(buffer: $0) }).write(
            to: URL(fileURLWithPath: directory + "/rows.f32"))

        func median(_ samples: [Double]) -> Double { samples.sorted()[samples.count / 2] }
        func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
        let compiled = CompiledMember(member)
        var output = [Double](repeating: 0, count: batch)
        var oneRow: [Double] = [], batched: [Double] = []
        batchValues.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                for index in 0..<2_000 {
                    let row = UnsafeBufferPointer(
                        rebasing: input[(index % batch) * features..<((index % batch) + 1) * features])
                    let start = now()
                    compiled.probabilities(row, rows: 1, into: UnsafeMutableBufferPointer(rebasing: out[0..<1]))
                    oneRow.append(Double(now() - start) / 1_000)
                }
                for _ in 0..<7 {
                    let start = now()
                    compiled.probabilities(input, rows: batch, into: out)
                    batched.append(Double(now() - start) / 1_000 / Double(batch))
                }
            }
        }
        var xgbOne: [Double] = [], xgbBatch: [Double] = []
        for index in 0..<300 {
            let row = Array(batchValues[(index * features)..<((index + 1) * features)])
            let start = now()
            let matrix = try DMatrix(values: row, rows: 1, columns: features)
            _ = try model.booster.predict(matrix)
            xgbOne.append(Double(now() - start) / 1_000)
        }
        for _ in 0..<5 {
            let start = now()
            let matrix = try DMatrix(values: batchValues, rows: batch, columns: features)
            _ = try model.booster.predict(matrix)
            xgbBatch.append(Double(now() - start) / 1_000 / Double(batch))
        }

        // A router of `routerMembers` such members: load every file, compile, and score one row each.
        let store = ModelStore(root: directory + "/models")
        let version = try store.addVersion("bench_router") { dir, version in
            let onnx = try ONNXMember.serialize(member, name: "bench")
            let columns = ["z"] + (1..<features).map { "f\($0)" }
            let members = (0..<routerMembers).map { index in
                RouterManifest.Member(
                    pair: "P\(index)__B", legs: ["P\(index)", "B"], kind: "gbdt",
                    file: RouterVersion.memberFile(pair: "P\(index)__B"), calibration: .platt(a: 1, b: 0),
                    threshold: 0.5, trainingWindow: [], metrics: [:])
            }
            let manifest = RouterManifest(
                name: "bench_router", version: version, createdAt: "", codeVersion: TrainStage.codeVersion,
                trainingRun: "bench", featureColumns: columns,
                featureParameters: .init(
                    timeframe: "5m", betaWindow: 1000, zWindow: 300, lagFeatures: 0,
                    labelType: "z_threshold", zscoreThreshold: 1.2, horizon: 3),
                members: members)
            try RouterVersion.write(
                manifest: manifest, members: members.map { ($0.file, onnx) }, exampleRows: nil, mlmodelUUID: "bench",
                createdAt: Date(), into: dir)
        }
        var loads: [Double] = []
        for _ in 0..<5 {
            let start = now()
            let router = try RouterModel(directory: store.versionDirectory("bench_router", version))
            let frame = InputFrame(
                columns: router.manifest.featureColumns + ["pair"],
                rows: router.pairs.map { pair in Array(repeating: Cell.number(0.1), count: features) + [.string(pair)] }
            )
            _ = try router.score(frame)
            loads.append(Double(now() - start) / 1_000_000)
        }
        return Timing(
            nativeOneRowMicros: median(oneRow), nativeBatchMicrosPerRow: median(batched),
            xgboostOneRowMicros: median(xgbOne),
            xgboostBatchMicrosPerRow: median(xgbBatch), routerLoadAndWarmMillis: median(loads), members: routerMembers)
    }
}
