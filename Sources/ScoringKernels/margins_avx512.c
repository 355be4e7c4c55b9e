// The batch tree walk with AVX-512, for `Scoring`'s `WideTrees`. The Swift walk keeps ten rows'
// chains of dependent loads (split, then key) in general registers and is bound by their latency;
// here each 512-bit register walks 16 rows through one tree, six such groups interleaved, and
// the top levels need no dependent load at all: the candidate key columns of a level are loaded
// whole (16 rows each, adjacent) and narrowed to each row's own by the masks of the levels above.
// Results are bit for bit the Swift walk's: the same keys and comparisons, leaves added in tree
// order in float32. Compiled for AVX-512 per function (no global -march), and called only after
// `mnt_wide_available()`.

#include "ScoringKernels.h"

#if defined(__x86_64__)

#include <immintrin.h>
#include <string.h>

// Levels answered by loading every candidate column of the level (1 + 2 + 4 + 8 + 16 loads per
// group); the last level gathers instead, where 32 candidates would cost more than one gather.
#define DIRECT_LEVELS 4
#define GROUPS (MNT_WIDE_BLOCK_ROWS / 16)

int mnt_wide_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512dq");
}

#define WIDE __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq")))

// `FloatKey.of`: floats as unsigned integers in the same order, −0 as +0, NaN the missing-right key.
static inline uint32_t key_of(float value) {
    float plus = value + 0.0f;
    uint32_t bits;
    memcpy(&bits, &plus, sizeof bits);
    uint32_t ordered = bits ^ ((uint32_t)((int32_t)bits >> 31) | 0x80000000u);
    return value != value ? 0xffffffffu : ordered;
}

// `FloatKey.write`, column-major by block: column c of row r at keys[c × block + r].
static void write_keys(const float *values, long count, long width, uint32_t *keys) {
    for (long r = 0; r < count; r++) {
        const float *row = values + r * width;
        for (long f = 0; f < width; f++) {
            float value = row[f];
            uint32_t key = key_of(value);
            keys[(2 * f) * MNT_WIDE_BLOCK_ROWS + r] = key;
            keys[(2 * f + 1) * MNT_WIDE_BLOCK_ROWS + r] = value != value ? 0u : key;
        }
    }
}

WIDE void mnt_wide_margins_depth6(const float *values, long rows, long width,
                                  const uint32_t *thresholds, const int32_t *columns, const float *leaves, long trees,
                                  float base, uint32_t *keys, float *margins) {
    float sums[MNT_WIDE_BLOCK_ROWS] __attribute__((aligned(64)));
    // A short last block walks the rows left from the block before (or zeros): any key leads to
    // some leaf, and their sums are dropped.
    memset(keys, 0, sizeof(uint32_t) * MNT_WIDE_BLOCK_ROWS * 2 * width);
    const __m512i one = _mm512_set1_epi32(1), two = _mm512_set1_epi32(2);
    __m512i lanes[GROUPS];
    for (int g = 0; g < GROUPS; g++) lanes[g] = _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                                                 _mm512_set1_epi32(16 * g));
    for (long start = 0; start < rows; start += MNT_WIDE_BLOCK_ROWS) {
        long count = rows - start < MNT_WIDE_BLOCK_ROWS ? rows - start : MNT_WIDE_BLOCK_ROWS;
        write_keys(values + start * width, count, width, keys);
        for (int g = 0; g < GROUPS; g++) _mm512_store_ps(sums + 16 * g, _mm512_set1_ps(base));
        for (long t = 0; t < trees; t++) {
            const uint32_t *threshold = thresholds + t * MNT_WIDE_TREE_NODES;
            const int32_t *column = columns + t * MNT_WIDE_TREE_NODES;
            const float *leaf = leaves + t * MNT_WIDE_TREE_NODES;
            // The tree's thresholds, columns and leaves in registers, picked per lane by permutes.
            __m512i th0 = _mm512_loadu_si512(threshold), th1 = _mm512_loadu_si512(threshold + 16);
            __m512i th2 = _mm512_loadu_si512(threshold + 32), th3 = _mm512_loadu_si512(threshold + 48);
            __m512i co2 = _mm512_loadu_si512(column + 32), co3 = _mm512_loadu_si512(column + 48);
            __m512 l0 = _mm512_loadu_ps(leaf), l1 = _mm512_loadu_ps(leaf + 16), l2 = _mm512_loadu_ps(leaf + 32), l3 = _mm512_loadu_ps(leaf + 48);
            // Each lane's heap index (root 1, children 2h and 2h + 1) and every level's decisions.
            __m512i index[GROUPS];
            __mmask16 right[GROUPS][6];
            const __m512i rootThreshold = _mm512_set1_epi32((int)threshold[1]);
            _Pragma("clang loop unroll(full)")
            for (int g = 0; g < GROUPS; g++) {
                right[g][0] = _mm512_cmpge_epu32_mask(_mm512_load_si512(keys + 16 * g + column[1]), rootThreshold);
                index[g] = _mm512_mask_add_epi32(two, right[g][0], two, one);
            }
            _Pragma("clang loop unroll(full)")
            for (int level = 1; level <= DIRECT_LEVELS; level++) {
                _Pragma("clang loop unroll(full)")
                for (int g = 0; g < GROUPS; g++) {
                    // Candidate j is node 2^level + j, j's bits the path from the root (its lowest
                    // the level above's decision): folded from the lowest bit up.
                    __m512i candidates[16];
                    const int first = 1 << level;
                    _Pragma("clang loop unroll(full)")
                    for (int j = 0; j < first; j++) candidates[j] = _mm512_load_si512(keys + 16 * g + column[first + j]);
                    int remaining = first;
                    _Pragma("clang loop unroll(full)")
                    for (int above = level - 1; above >= 0; above--) {
                        remaining >>= 1;
                        _Pragma("clang loop unroll(full)")
                        for (int j = 0; j < remaining; j++)
                            candidates[j] = _mm512_mask_blend_epi32(right[g][above], candidates[2 * j], candidates[2 * j + 1]);
                    }
                    __m512i limit = level < 4 ? _mm512_permutexvar_epi32(index[g], th0) : _mm512_permutexvar_epi32(index[g], th1);
                    right[g][level] = _mm512_cmpge_epu32_mask(candidates[0], limit);
                    index[g] = _mm512_mask_add_epi32(_mm512_add_epi32(index[g], index[g]), right[g][level], _mm512_add_epi32(index[g], index[g]), one);
                }
            }
            // The last level: one gather of each lane's key.
            __m512i key[GROUPS], limit[GROUPS];
            _Pragma("clang loop unroll(full)")
            for (int g = 0; g < GROUPS; g++) {
                limit[g] = _mm512_permutex2var_epi32(th2, index[g], th3);
                __m512i offset = _mm512_add_epi32(_mm512_permutex2var_epi32(co2, index[g], co3), lanes[g]);
                key[g] = _mm512_i32gather_epi32(offset, (const void *)keys, 4);
            }
            _Pragma("clang loop unroll(full)")
            for (int g = 0; g < GROUPS; g++) {
                __mmask16 last = _mm512_cmpge_epu32_mask(key[g], limit[g]);
                __m512i bottom = _mm512_mask_add_epi32(_mm512_add_epi32(index[g], index[g]), last, _mm512_add_epi32(index[g], index[g]), one);
                // Bottom heap indices 64…127: the low five bits pick within a half, bit 5 the half.
                __m512 low = _mm512_permutex2var_ps(l0, bottom, l1), high = _mm512_permutex2var_ps(l2, bottom, l3);
                __m512 value = _mm512_mask_blend_ps(_mm512_test_epi32_mask(bottom, _mm512_set1_epi32(32)), low, high);
                _mm512_store_ps(sums + 16 * g, _mm512_add_ps(_mm512_load_ps(sums + 16 * g), value));
            }
        }
        memcpy(margins + start, sums, sizeof(float) * (size_t)count);
    }
}

#else

// Elsewhere (arm64) there is no AVX-512: `Scoring` walks in Swift and never calls the kernel.
int mnt_wide_available(void) { return 0; }

void mnt_wide_margins_depth6(const float *values, long rows, long width,
                             const uint32_t *thresholds, const int32_t *columns, const float *leaves, long trees,
                             float base, uint32_t *scratch, float *margins) {
    __builtin_trap();
}

#endif
