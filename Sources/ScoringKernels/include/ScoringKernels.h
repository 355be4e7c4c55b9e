#ifndef SCORING_KERNELS_H
#define SCORING_KERNELS_H

#include <stdint.h>

/// Rows the AVX-512 kernel scores together (six groups of 16 lanes, walked interleaved).
#define MNT_WIDE_BLOCK_ROWS 96
/// Entries per tree in the kernel's tables: heap indices 1…63 (entry 0 unused) for the splits,
/// bottom slots 0…63 for the leaves.
#define MNT_WIDE_TREE_NODES 64

/// 1 when this CPU (and the OS) runs AVX-512 F, BW, VL and DQ code; the kernel must not be called otherwise.
int mnt_wide_available(void);

/// Margins of `rows` rows (row-major `values`, `width` floats each, NaN = missing) under `trees`
/// trees padded to depth 6: `base` plus every tree's leaf, in tree order, in float32.
/// `thresholds[t*64+h]`: the key (`FloatKey`) of node h's threshold, a row going right when its key
/// is at least that; `columns[t*64+h]`: the node's key column (2 × feature + missing-goes-left)
/// times MNT_WIDE_BLOCK_ROWS; `leaves[t*64+s]`: the leaf of bottom slot s. `scratch`: 64-byte
/// aligned room for MNT_WIDE_BLOCK_ROWS × 2 × width keys.
void mnt_wide_margins_depth6(const float *values, long rows, long width,
                             const uint32_t *thresholds, const int32_t *columns, const float *leaves, long trees,
                             float base, uint32_t *scratch, float *margins);

#endif
