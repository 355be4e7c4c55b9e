@testable import Scoring
import ScoringKernels
import Testing

/// The AVX-512 kernel's contract, on tables written by hand: heap order from root 1, a row going
/// right when its key is at least the node's threshold key, the key column chosen by the node
/// (missing values to their default side), leaves by bottom slot, sums in float32 from `base`, and
/// any number of rows (blocks of 96, the last one short). Where the CPU lacks AVX-512 the kernel
/// cannot run, and `Scoring` never calls it.
@Suite(.enabled(if: WideTrees.available, "the CPU has no AVX-512"))
struct WideKernelTests {
    static let width = 3, trees = 2

    /// Node h of tree t splits feature (h + t) % 3 at threshold (h % 5 − 2) / 2, missing values
    /// going left at odd h; leaf s of tree t is s + 100t.
    static func tables() -> (thresholds: [UInt32], columns: [Int32], leaves: [Float]) {
        var thresholds: [UInt32] = [], columns: [Int32] = [], leaves: [Float] = []
        for tree in 0..<trees {
            for node in 0..<64 {
                thresholds.append(FloatKey.of(Float(node % 5 - 2) / 2))
                columns.append(
                    FloatKey.column(Int32((node + tree) % width), missingGoesLeft: node % 2 == 1)
                        * Int32(MNT_WIDE_BLOCK_ROWS))
                leaves.append(Float(node + 100 * tree))
            }
        }
        return (thresholds, columns, leaves)
    }

    /// The walk the tables describe, written plainly.
    static func expected(_ row: [Float], base: Float) -> Float {
        var sum = base
        for tree in 0..<trees {
            var node = 1
            for _ in 0..<6 {
                let value = row[(node + tree) % width]
                let threshold = Float(node % 5 - 2) / 2
                let right = value.isNaN ? node % 2 == 0 : !(value < threshold)
                node = 2 * node + (right ? 1 : 0)
            }
            sum += Float(node - 64 + 100 * tree)
        }
        return sum
    }

    @Test(arguments: [1, 15, 16, 17, 95, 96, 97, 250])
    func rowsLandOnTheLeavesTheirPathsName(rows: Int) {
        let values: [Float] = [-1, -0.5, -0.0, 0, 0.5, 1, .nan, .infinity, -.infinity, 0.25]
        let matrix = (0..<rows * Self.width).map { values[($0 * 7 + $0 / 5) % values.count] }
        let (thresholds, columns, leaves) = Self.tables()
        var margins = [Float](repeating: .nan, count: rows)
        var scratch = [UInt32](repeating: 0, count: Int(MNT_WIDE_BLOCK_ROWS) * 2 * Self.width + 16)
        scratch.withUnsafeMutableBufferPointer { scratch in
            // 64-byte alignment, as the kernel's aligned loads need.
            let raw = UnsafeMutableRawPointer(scratch.baseAddress!)
            let aligned = raw.alignedUp(toMultipleOf: 64).assumingMemoryBound(to: UInt32.self)
            mnt_wide_margins_depth6(
                matrix, rows, Self.width, thresholds, columns, leaves, Self.trees, 0.5, aligned, &margins)
        }
        for row in 0..<rows {
            let expected = Self.expected(Array(matrix[row * Self.width..<(row + 1) * Self.width]), base: 0.5)
            #expect(
                margins[row] == expected, "row \(row) of \(rows): \(matrix[row * Self.width..<(row + 1) * Self.width])")
        }
    }
}
