import Foundation
import TestSupport
import Testing
@testable import ModelFormat
@testable import Scoring

/// Both tree layouts against a plain walk of the trees. The walk is the definition (XGBoost's:
/// `x < threshold` goes left, a missing value takes the node's default way, leaves summed in tree
/// order in float32), so results must be identical, not merely close. XGBoost itself is compared in
/// TrainingTests/ExportTests.
struct CompiledMemberTests {
    /// Unbalanced: a leaf above a split.
    static let handMade = TreeEnsemble(
        featureCount: 2, baseMargin: 0.25,
        trees: [
            [
                .init(feature: 0, threshold: 0.5, left: 1, right: 2, missingGoesLeft: false, leafValue: 0),
                .init(feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false, leafValue: -0.75),
                .init(feature: 1, threshold: -1, left: 3, right: 4, missingGoesLeft: true, leafValue: 0),
                .init(feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false, leafValue: 0.5),
                .init(feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false, leafValue: 1.5)
            ],
            [
                .init(feature: 1, threshold: 2, left: 1, right: 2, missingGoesLeft: false, leafValue: 0),
                .init(feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false, leafValue: 0.125),
                .init(feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false, leafValue: -0.125)
            ]
        ])

    static func reference(_ ensemble: TreeEnsemble, _ row: [Float]) -> Double {
        1 / (1 + exp(-Double(referenceMargin(ensemble, row))))
    }

    static func referenceMargin(_ ensemble: TreeEnsemble, _ row: [Float]) -> Float {
        var margin = ensemble.baseMargin
        for tree in ensemble.trees {
            var node = tree[0]
            while !node.isLeaf {
                let v = row[Int(node.feature)]
                let left = v.isNaN ? node.missingGoesLeft : v < node.threshold
                node = tree[Int(left ? node.left : node.right)]
            }
            margin += node.leafValue
        }
        return margin
    }

    /// Values that sit on edges: signed zeros, infinities, NaN, the smallest subnormals, and the
    /// thresholds' own values (equality goes right).
    static let specials: [Float] = [
        .infinity, -.infinity, .nan, 0, -0.0, 0.5, -1, 2, 7, -3,
        .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude
    ]

    @Test func handMadeTreesMatchAPlainWalkOnEveryKindOfValue() {
        let rows = Self.specials.flatMap { a in Self.specials.map { b in [a, b] } }
        #expect(CompiledMember(.trees(Self.handMade)).layoutName == "perfect")
        for member in [CompiledMember(.trees(Self.handMade)), CompiledMember(linked: Self.handMade)] {
            let batch = member.probabilities(rows)
            for (row, probability) in zip(rows, batch) {
                #expect(probability == Self.reference(Self.handMade, row), "\(member.layoutName) row \(row)")
                #expect(
                    member.probabilities([row])[0] == Self.reference(Self.handMade, row),
                    "\(member.layoutName) single row \(row)")
            }
        }
    }

    /// Random trees up to `maxDepth`, each branch stopping early at random (so leaves sit at every
    /// level), thresholds drawn from a small grid so that rows hit them exactly.
    static func randomEnsemble(
        trees: Int, features: Int, maxDepth: Int, grid: [Float], using random: inout SeededRandom
    ) -> TreeEnsemble {
        func grow(_ nodes: inout [TreeEnsemble.Node], depth: Int) -> Int32 {
            let index = nodes.count
            nodes.append(
                .init(
                    feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false,
                    leafValue: Float(Int.random(in: -64...64, using: &random)) / 128))
            if depth < maxDepth && (depth == 0 || Double.random(in: 0..<1, using: &random) < 0.8) {
                let feature = Int32.random(in: 0..<Int32(features), using: &random)
                let threshold = grid.randomElement(using: &random)!
                let missingLeft = Bool.random(using: &random)
                let left = grow(&nodes, depth: depth + 1)
                let right = grow(&nodes, depth: depth + 1)
                nodes[index] = .init(
                    feature: feature, threshold: threshold, left: left, right: right, missingGoesLeft: missingLeft,
                    leafValue: 0)
            }
            return Int32(index)
        }
        let trees: [[TreeEnsemble.Node]] = (0..<trees).map { number in
            var nodes: [TreeEnsemble.Node] = []
            if number == 1 {
                // A single-leaf tree (depth 0), as XGBoost writes when no split helps.
                nodes.append(
                    .init(feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false, leafValue: 0.375))
            } else {
                _ = grow(&nodes, depth: 0)
            }
            return nodes
        }
        return TreeEnsemble(featureCount: features, baseMargin: -0.125, trees: trees)
    }

    /// Batch sizes around the evaluator's lanes (10) and blocks (40), rows with and without missing
    /// values mixed, on shallow trees (perfect layout) and deep ones (linked layout).
    @Test(arguments: [
        (maxDepth: 6, layout: "perfect"), (maxDepth: 9, layout: "perfect"), (maxDepth: 13, layout: "linked")
    ])
    func randomEnsemblesMatchAPlainWalk(maxDepth: Int, layout: String) {
        var random = SeededRandom(seed: UInt64(maxDepth))
        let grid: [Float] = [-2, -1, -0.5, -0.0, 0, 0.25, 1, 3, .leastNonzeroMagnitude, .infinity, -.infinity]
        let features = 5
        let ensemble = Self.randomEnsemble(
            trees: 40, features: features, maxDepth: maxDepth, grid: grid, using: &random)
        let values = grid + [.nan, .infinity, -.infinity, 0.7, -7]
        let rows: [[Float]] = (0..<300).map { index in
            (0..<features).map { _ in
                // One row in five has missing values; the rest none.
                let value = values.randomElement(using: &random)!
                return value.isNaN && index % 5 != 0 ? 0.5 : value
            }
        }
        let member = CompiledMember(.trees(ensemble))
        #expect(member.layoutName == layout)
        let expected = rows.map { Self.reference(ensemble, $0) }
        for evaluator in [member, CompiledMember(linked: ensemble)] {
            for count in [1, 7, 9, 10, 11, 39, 40, 41, 63, 64, 65, 300] {
                let got = evaluator.probabilities(Array(rows.prefix(count)))
                let mismatches = (0..<count).filter { got[$0] != expected[$0] }
                #expect(
                    mismatches.isEmpty, "\(evaluator.layoutName), \(count) rows: rows \(mismatches.prefix(5)) differ")
            }
        }
    }

    /// Each walk of the perfect layout on its own, whatever the batch size would choose: rows in
    /// lockstep (lanes of 10, padded), trees in lockstep (groups of 10, each padded to its
    /// deepest tree, the last group short) and, with AVX-512, 16 rows to a register (blocks of 96). Tree counts that are not a multiple of the group, trees of
    /// every depth side by side in a group, missing values in any column with both default
    /// directions, and row counts around the lanes and blocks.
    @Test(arguments: [
        (trees: 43, maxDepth: 1), (trees: 43, maxDepth: 4), (trees: 21, maxDepth: 8), (trees: 8, maxDepth: 10),
        (trees: 3, maxDepth: 6),
        (trees: 60, maxDepth: 6)
    ])
    func eachPerfectWalkMatchesAPlainWalk(trees: Int, maxDepth: Int) throws {
        var random = SeededRandom(seed: UInt64(100 * trees + maxDepth))
        let grid: [Float] = [
            -2, -1, -0.5, -0.0, 0, 0.25, 1, 3, .leastNonzeroMagnitude, .infinity, -.infinity, .greatestFiniteMagnitude
        ]
        let features = 6
        var ensemble = Self.randomEnsemble(
            trees: trees, features: features, maxDepth: maxDepth, grid: grid, using: &random)
        // A tree of exactly the limit's depth beside shallow ones, so a group pads most of its trees.
        ensemble.trees[0] = Self.chain(depth: maxDepth)
        let values = grid + [.nan, .nan, -.nan, 0.7, -7, 2.5]
        let rows: [[Float]] = (0..<250).map { _ in (0..<features).map { _ in values.randomElement(using: &random)! } }
        let expected = rows.map { Self.referenceMargin(ensemble, $0) }
        let layout = try #require(PerfectTrees(ensemble))
        // The AVX-512 walk exists for trees of depth 6 at most, on a CPU that has it.
        #expect((layout.wide != nil) == (WideTrees.available && maxDepth <= WideTrees.depth))
        for walk in [PerfectTrees.Walk.rowsInLockstep, .treesInLockstep, .automatic]
            + (layout.wide == nil ? [] : [.wide])
        {
            for count in [1, 2, 3, 4, 5, 7, 9, 10, 11, 15, 16, 17, 39, 40, 41, 63, 64, 65, 95, 96, 97, 150, 193, 250] {
                let flat = rows.prefix(count).flatMap { $0 }
                var got = [Float](repeating: .nan, count: count)
                flat.withUnsafeBufferPointer { input in
                    got.withUnsafeMutableBufferPointer {
                        layout.margins(
                            input.baseAddress!, rows: count, width: features, into: $0.baseAddress!, walk: walk)
                    }
                }
                let mismatches = (0..<count).filter { got[$0] != expected[$0] }
                #expect(mismatches.isEmpty, "\(walk), \(count) rows: rows \(mismatches.prefix(5)) differ")
            }
        }
    }

    /// A tree of exactly `depth` splits: a chain down the left, a leaf to the right of each split.
    static func chain(depth: Int) -> [TreeEnsemble.Node] {
        var nodes: [TreeEnsemble.Node] = []
        for level in 0..<depth {
            let split = nodes.count
            nodes.append(
                .init(
                    feature: Int32(level % 3), threshold: Float(level % 5) - 2, left: Int32(split + 2),
                    right: Int32(split + 1),
                    missingGoesLeft: level % 2 == 0, leafValue: 0))
            nodes.append(
                .init(
                    feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false, leafValue: Float(level) / 16)
            )
        }
        nodes.append(.init(feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false, leafValue: -1))
        return nodes
    }

    /// The layout's limits: depth 10 is the deepest perfect tree, 11 goes linked, as does a NaN
    /// threshold; ensembles of single leaves or of no tree at all give the base margin plus leaves.
    @Test func layoutBoundariesGiveTheSameAnswers() {
        let rows: [[Float]] = (0..<70).map { (index: Int) -> [Float] in
            let first = Float(index % 7) - 3
            let second: Float = index % 9 == 0 ? .nan : Float(index % 5) - 2
            return [first, second, Float(index % 3) - 1]
        }
        let leaf = TreeEnsemble.Node(
            feature: 0, threshold: 0, left: -1, right: -1, missingGoesLeft: false, leafValue: 0.5)
        var nanThreshold = Self.chain(depth: 2)
        nanThreshold[0].threshold = .nan
        let cases: [(name: String, ensemble: TreeEnsemble, layout: String)] = [
            (
                "depth 10",
                TreeEnsemble(featureCount: 3, baseMargin: 0.1, trees: [Self.chain(depth: 10), Self.chain(depth: 3)]),
                "perfect"
            ),
            (
                "depth 11",
                TreeEnsemble(featureCount: 3, baseMargin: 0.1, trees: [Self.chain(depth: 3), Self.chain(depth: 11)]),
                "linked"
            ),
            ("NaN threshold", TreeEnsemble(featureCount: 3, baseMargin: 0.1, trees: [nanThreshold]), "linked"),
            ("single leaves", TreeEnsemble(featureCount: 3, baseMargin: 0.1, trees: [[leaf], [leaf]]), "perfect"),
            ("no trees", TreeEnsemble(featureCount: 3, baseMargin: 0.1, trees: []), "perfect")
        ]
        for (name, ensemble, layout) in cases {
            let member = CompiledMember(.trees(ensemble))
            #expect(member.layoutName == layout, "\(name)")
            let got = member.probabilities(rows)
            let mismatches = rows.indices.filter { got[$0] != Self.reference(ensemble, rows[$0]) }
            #expect(mismatches.isEmpty, "\(name): rows \(mismatches.prefix(5)) differ")
        }
    }

    /// A split's word holds the threshold and the key offset together; the offset must never
    /// change a comparison, down to the largest offset and the extreme thresholds, and a missing
    /// value goes each default way.
    @Test func splitWordsCompareAsTheFloatsDo() {
        let thresholds = Self.specials.filter { !$0.isNaN } + [1.5, -1.5, .ulpOfOne]
        for threshold in thresholds {
            for offset in [0, 1, 40 * 47, Int(Int32.max)] {
                for missingGoesLeft in [false, true] {
                    let column = FloatKey.column(0, missingGoesLeft: missingGoesLeft)
                    let split = PerfectSplit(rightAbove: FloatKey.of(threshold) &- 1, keyOffset: Int32(offset))
                    #expect(split.keyOffset == offset)
                    for value in Self.specials {
                        var keys = [UInt64](repeating: 0, count: 2)
                        [value].withUnsafeBufferPointer { row in
                            keys.withUnsafeMutableBufferPointer {
                                FloatKey.write(row.baseAddress!, width: 1, into: $0.baseAddress!, stride: 1)
                            }
                        }
                        let key = keys[Int(column)]
                        let goesLeft = value.isNaN ? missingGoesLeft : value < threshold
                        #expect(
                            split.leftMask(key) == (goesLeft ? -1 : 0),
                            "\(value) against \(threshold), offset \(offset), missing left \(missingGoesLeft)")
                    }
                }
            }
        }
        for value in Self.specials {
            let key = UInt64(FloatKey.of(value)) << PerfectSplit.offsetBits
            #expect(PerfectSplit.padding.leftMask(key) == (value.isNaN ? 0 : -1))
        }
    }

    @Test func floatKeysOrderAsTheFloatsCompare() {
        let floats: [Float] =
            Self.specials.filter { !$0.isNaN } + [
                1.5, -1.5, 1e-38, -1e-38, 3e38, .ulpOfOne, 1 + .ulpOfOne, 1 - .ulpOfOne / 2
            ]
        for a in floats {
            for b in floats {
                #expect((a < b) == (FloatKey.of(a) < FloatKey.of(b)), "\(a) < \(b)")
            }
            // Every split compares with its threshold's key minus one: the missing keys must lie
            // strictly above and below every such bound for any threshold.
            #expect(FloatKey.of(a) < FloatKey.missingRight)
            #expect(FloatKey.missingLeft < FloatKey.of(a) &- 1)
        }
        #expect(FloatKey.of(.nan) == FloatKey.missingRight && FloatKey.of(-Float.nan) == FloatKey.missingRight)
    }
}
