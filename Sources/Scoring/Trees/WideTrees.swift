import ModelFormat
import ScoringKernels

/// The layout of the AVX-512 batch walk (`ScoringKernels`): every tree padded to depth 6, its 63
/// splits as a threshold key and a key column each, in heap order (root 1), and its 64 leaves. A
/// batch is scored 96 rows at a time, 16 rows to a register; `PerfectTrees` uses it for batches of
/// `minimumRows` or more when the CPU has AVX-512, and walks in Swift otherwise. The answers are
/// the Swift walks' to the bit (the same keys, comparisons and float32 sums in tree order).
struct WideTrees: Sendable {
    static let depth = 6
    static let nodes = Int(MNT_WIDE_TREE_NODES)
    static let blockRows = Int(MNT_WIDE_BLOCK_ROWS)
    /// A block costs 96 rows whatever it holds: below about 40 rows the Swift walk is quicker.
    static let minimumRows = 40

    /// Checked once: the kernel's instructions exist on this CPU.
    static let available = mnt_wide_available() != 0

    let thresholds: [UInt32]
    let columns: [Int32]
    let leaves: [Float]
    let treeCount: Int
    let base: Float

    /// nil without AVX-512, when a tree is deeper than 6, or when key columns would not fit Int32
    /// (the caller has already refused NaN thresholds).
    init?(_ ensemble: TreeEnsemble, depths: [Int]) {
        guard Self.available, depths.allSatisfy({ $0 <= Self.depth }),
            ensemble.featureCount <= Int(Int32.max) / (2 * Self.blockRows)
        else { return nil }
        var thresholds: [UInt32] = [], columns: [Int32] = [], leaves: [Float] = []
        thresholds.reserveCapacity(ensemble.trees.count * Self.nodes)
        for tree in ensemble.trees {
            // Slots under a leaf above the bottom keep the padding split (`PerfectSplit.padding`):
            // it compares feature 0's missing-right key with the largest key, over two copies of the leaf.
            var treeThresholds = [UInt32](repeating: FloatKey.missingRight, count: Self.nodes)
            var treeColumns = [Int32](repeating: 0, count: Self.nodes)
            var treeLeaves = [Float](repeating: 0, count: Self.nodes)
            PerfectTrees.place(tree, depth: Self.depth) { slot, node in
                treeThresholds[slot] = FloatKey.of(node.threshold)
                treeColumns[slot] =
                    FloatKey.column(node.feature, missingGoesLeft: node.missingGoesLeft) &* Int32(Self.blockRows)
            } leaf: { slot, value in
                treeLeaves[slot - Self.nodes] = value
            }
            thresholds += treeThresholds
            columns += treeColumns
            leaves += treeLeaves
        }
        self.thresholds = thresholds
        self.columns = columns
        self.leaves = leaves
        treeCount = ensemble.trees.count
        base = ensemble.baseMargin
    }

    /// `base` plus every tree's leaf for each row (row-major `values`, `width` per row).
    func margins(_ values: UnsafePointer<Float>, rows: Int, width: Int, into margins: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(
            byteCount: Self.blockRows * 2 * max(width, 1) * MemoryLayout<UInt32>.stride, alignment: 64
        ) { scratch in
            let keys = scratch.baseAddress!.assumingMemoryBound(to: UInt32.self)
            thresholds.withUnsafeBufferPointer { thresholds in
                columns.withUnsafeBufferPointer { columns in
                    leaves.withUnsafeBufferPointer { leaves in
                        mnt_wide_margins_depth6(
                            values, rows, width, thresholds.baseAddress!, columns.baseAddress!, leaves.baseAddress!,
                            treeCount,
                            base, keys, margins)
                    }
                }
            }
        }
    }
}
