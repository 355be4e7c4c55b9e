import Foundation

/// SplitMix64's finaliser: a strong 64-bit mix, used to derive seeds and for counter-based draws
/// (a value that depends only on its key, so any bar can be decorated without replaying the past).
@inline(__always)
func mix64(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Uniform in (0, 1): never 0, so logarithms are safe.
@inline(__always)
func unitInterval(_ bits: UInt64) -> Double {
    (Double(bits >> 11) + 0.5) * 0x1.0p-53
}

/// xoshiro256** (Blackman and Vigna): fast, high quality, and reproducible across platforms,
/// unlike the standard library's generator. Sequential streams drive the price paths.
struct Xoshiro256: RandomNumberGenerator {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    private var spareNormal: Double?

    init(seed: UInt64) {
        s0 = mix64(seed)
        s1 = mix64(s0 ^ 0x6A09_E667_F3BC_C909)
        s2 = mix64(s1 ^ 0xBB67_AE85_84CA_A73B)
        s3 = mix64(s2 ^ 0x3C6E_F372_FE94_F82B)
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    @inline(__always)
    mutating func uniform() -> Double { unitInterval(next()) }

    /// Standard normal by Box–Muller, keeping the second value of each pair.
    @inline(__always)
    mutating func normal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let radius = (-2 * Foundation.log(uniform())).squareRoot()
        let angle = 2 * Double.pi * uniform()
        spareNormal = radius * Foundation.sin(angle)
        return radius * Foundation.cos(angle)
    }

    /// Student-t with 4 degrees of freedom scaled to unit variance: fat tails like crypto returns.
    /// χ²₄ = −2·ln(u₁u₂), and Var(t₄) = 2.
    @inline(__always)
    mutating func fatTailed() -> Double {
        let chiSquare = -2 * Foundation.log(uniform() * uniform())
        return normal() / (chiSquare / 4).squareRoot() / 2.0.squareRoot()
    }

    mutating func uniform(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * uniform()
    }
}

/// Counter-based draws keyed by (seed, stream, step): the same key always gives the same numbers.
struct KeyedDraws {
    private var state: UInt64

    init(seed: UInt64, stream: UInt64, step: Int64) {
        state = mix64(seed ^ mix64(stream &* 0xD6E8_FEB8_6659_FD93 ^ UInt64(bitPattern: step)))
    }

    @inline(__always)
    mutating func uniform() -> Double {
        state = mix64(state)
        return unitInterval(state)
    }

    @inline(__always)
    mutating func normal() -> Double {
        (-2 * Foundation.log(uniform())).squareRoot() * Foundation.cos(2 * Double.pi * uniform())
    }
}
