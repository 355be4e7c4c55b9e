import Foundation
import Testing
import TrainingRecords
@testable import MarketData
@testable import ModelFormat
@testable import PairResearch
@testable import Scoring
@testable import Training

/// The exported member (ONNX) evaluated natively must give XGBoost's own probabilities.
struct ExportTests {
    /// A small dataset whose inputs include NaNs, so missing values take the trees' default ways.
    static func data() throws -> (values: [Double], labels: [Int], columns: Int, rows: Int) {
        var rng = Xoshiro256(seed: 3)
        let rows = 3_000, columns = 6
        var values: [Double] = [], labels: [Int] = []
        for _ in 0..<rows {
            let row = (0..<columns).map { _ in rng.normal() }
            let score = row[0] - 0.5 * row[1] + 0.3 * row[2] * row[3] + 0.3 * rng.normal()
            values += row.enumerated().map { index, value in index == 4 && rng.uniform() < 0.2 ? .nan : value }
            labels.append(score > 0 ? 1 : 0)
        }
        return (values, labels, columns, rows)
    }

    @Test(arguments: Candidate.defaultGrid)
    func nativeEvaluationMatchesXGBoost(candidate: Candidate) throws {
        let (values, labels, columns, rows) = try Self.data()
        var settings = FitSettings()
        settings.threads = 1
        settings.maxRounds = 60
        let all = Array(0..<rows)
        let model = try FittedModel.fit(
            candidate, values: values, columns: columns, labels: labels, fit: Array(0..<2_000),
            validation: Array(2_000..<2_500), settings: settings)
        let reference = try model.predict(rows: all, values: values)
        // Export from the saved JSON (the path a router build takes), through ONNX bytes and back.
        let member = try XGBoostExport.member(
            fromJSON: try model.booster.saveJSON(), standardisation: model.standardisation)
        let limited: MemberModel
        if case var .trees(ensemble) = member, candidate.kind == .gbdt {
            ensemble.trees = Array(ensemble.trees.prefix(model.rounds))
            limited = .trees(ensemble)
        } else {
            limited = member
        }
        let bytes = try ONNXMember.serialize(limited, name: "test")
        let parsed = try ONNXMember.parse(bytes, file: "test.onnx")
        // Trees survive exactly; linear coefficients are stored as float32, as ONNX requires.
        if case .trees = limited { #expect(parsed == limited) }
        let floats = values.map(Float.init)
        var native = [Double](repeating: 0, count: rows)
        floats.withUnsafeBufferPointer { input in
            native.withUnsafeMutableBufferPointer { CompiledMember(parsed).probabilities(input, rows: rows, into: $0) }
        }
        let worst = zip(native, reference).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-6, "\(candidate.name): max |Δ| \(worst)")
    }

    /// Files that parse but do not hold trees: a cycle (evaluation would never end) or a tree id
    /// with no nodes. Loading names the file and the problem.
    @Test func filesWhoseTreesAreNotTreesAreRejected() throws {
        let leaf = TreeEnsemble.Node(
            feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false, leafValue: 1)
        let cycle = TreeEnsemble(
            featureCount: 1, baseMargin: 0,
            trees: [
                [
                    .init(feature: 0, threshold: 0.5, left: 1, right: 2, missingGoesLeft: false, leafValue: 0),
                    .init(feature: 0, threshold: 0.25, left: 0, right: 2, missingGoesLeft: false, leafValue: 0),
                    leaf
                ]
            ])
        let cyclic = try ONNXMember.serialize(.trees(cycle), name: "cyclic")
        #expect { _ = try ONNXMember.parse(cyclic, file: "members/C.onnx") } throws: {
            "\($0)".hasPrefix("members/C.onnx:") && "\($0)".contains("not a tree")
        }
        let gap = TreeEnsemble(featureCount: 1, baseMargin: 0, trees: [[leaf], [], [leaf]])
        let gapped = try ONNXMember.serialize(.trees(gap), name: "gap")
        #expect { _ = try ONNXMember.parse(gapped, file: "members/G.onnx") } throws: {
            "\($0)".contains("tree 1 has no nodes")
        }
    }

    @Test func corruptOrForeignFilesAreRejectedWithTheirName() {
        #expect {
            _ = try ONNXMember.parse([0x08, 0x96, 0x01, 0xFF, 0xFF], file: "members/X.onnx")
        } throws: { "\($0)".hasPrefix("members/X.onnx:") }
        #expect(throws: XGBoostError.self) { _ = try XGBoostExport.member(fromJSON: Array("{}".utf8)) }
    }
}
