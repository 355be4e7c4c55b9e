import Foundation

/// A deterministic, offline crypto market with known structure, for demos and as a test oracle.
///
/// Log closes on a 5-minute grid, simulated from a fixed origin (2024-01-01T00:00Z):
/// - a market factor `m` and, per leader or independent symbol, an own random walk `w`, both with
///   fat-tailed (Student-t₄) steps: `x = ln P₀ + γ·m + w`;
/// - a follower is tied to its cluster's leader by `x_A = α + β·x_B + s`, with `s` an
///   Ornstein–Uhlenbeck process of chosen half-life, so (A, B) is cointegrated with slope β and the
///   spread reverts with that half-life; two followers of one leader are cointegrated with each other;
///   symbols in different clusters share only `m` and are correlated but not cointegrated.
///
/// Every path starts at the origin, so a bar is the same whatever range asked for it, and a live
/// timer can extend the market consistently. Longer timeframes are aggregations of the 5m bars.
public struct SyntheticMarket: Sendable {
    public enum Profile: String, Sendable, CaseIterable, Codable {
        /// Clusters with planted cointegrated pairs, plus independent symbols.
        case `default`
        /// The same symbols, all independent random walks: nothing to find (honesty checks).
        case independent
    }

    public enum Role: String, Sendable, Codable { case leader, follower, independent }

    public struct SymbolSpec: Sendable, Codable, Equatable {
        public var symbol: String
        public var cluster: String
        public var role: Role
        public var leader: String?
        public var startPrice: Double
        public var marketLoading: Double
        public var ownVolatility: Double
        public var beta: Double?
        public var alpha: Double?
        public var halfLifeHours: Double?
        public var spreadStdDev: Double?
        public var quoteVolumePerBar: Double
    }

    /// The first bar of the market; nothing exists before it.
    public static let origin: Int64 = 1_704_067_200_000
    public static let baseTimeframe = Timeframe.m5
    /// Per-5m volatility of the market factor (≈ 2.5 % a day).
    static let marketVolatility = 0.0015
    static let clusterLayout: [(cluster: String, members: Int)] = [("A", 3), ("B", 2), ("C", 2), ("D", 2)]
    static let independentCount = 3

    public let seed: UInt64
    public let profile: Profile
    public let specs: [SymbolSpec]

    public init(seed: UInt64 = 42, profile: Profile = .default) {
        self.seed = seed
        self.profile = profile
        self.specs = Self.makeSpecs(seed: seed, profile: profile)
    }

    public var symbols: [String] { specs.map(\.symbol) }

    static func makeSpecs(seed: UInt64, profile: Profile) -> [SymbolSpec] {
        var rng = Xoshiro256(seed: seed ^ 0x5EED_0F_5EC5)
        var specs: [SymbolSpec] = []
        func base(_ symbol: String, cluster: String, role: Role) -> SymbolSpec {
            SymbolSpec(
                symbol: symbol, cluster: cluster, role: role, leader: nil,
                startPrice: exp(rng.uniform(in: log(0.5)...log(40_000))),
                marketLoading: rng.uniform(in: 0.8...1.3),
                ownVolatility: rng.uniform(in: 0.0008...0.0014),
                beta: nil, alpha: nil, halfLifeHours: nil, spreadStdDev: nil,
                quoteVolumePerBar: exp(rng.uniform(in: log(2e5)...log(5e6))))
        }
        for (cluster, members) in clusterLayout {
            let leader = base(
                "SYN\(cluster)0USDT", cluster: cluster, role: profile == .default ? .leader : .independent)
            specs.append(leader)
            for index in 1..<members {
                var spec = base("SYN\(cluster)\(index)USDT", cluster: cluster, role: .independent)
                // Drawn in both profiles so that the two markets share every other parameter.
                let beta = rng.uniform(in: 0.5...1.5)
                let halfLife = rng.uniform(in: 4...36)
                let spreadStdDev = rng.uniform(in: 0.006...0.015)
                if profile == .default {
                    spec.role = .follower
                    spec.leader = leader.symbol
                    spec.beta = beta
                    spec.halfLifeHours = halfLife
                    spec.spreadStdDev = spreadStdDev
                    spec.alpha = log(spec.startPrice) - beta * log(leader.startPrice)
                }
                specs.append(spec)
            }
        }
        for index in 0..<independentCount {
            specs.append(base("SYNX\(index)USDT", cluster: "X\(index)", role: .independent))
        }
        return specs
    }

    public func spec(for symbol: String) -> SymbolSpec? { specs.first { $0.symbol == symbol } }

    /// Checks that every symbol belongs to this market.
    public func validate(symbols: [String]) throws {
        let known = Set(self.symbols)
        if let unknown = symbols.first(where: { !known.contains($0) }) {
            throw MarketDataError.invalidArgument(
                "unknown synthetic symbol '\(unknown)'; the synthetic market has \(self.symbols.joined(separator: ","))"
            )
        }
    }

    /// Bars of `symbols` at `timeframe` whose open time is in `[from, to)`, rounded to whole bars.
    /// `from` before the origin starts at the origin.
    public func series(symbols: [String], timeframe: Timeframe, from: Int64, to: Int64) throws -> [BarSeries] {
        try validate(symbols: symbols)
        guard timeframe.milliseconds % Self.baseTimeframe.milliseconds == 0 else {
            throw MarketDataError.invalidArgument(
                "the synthetic market has no \(timeframe) bars; use a multiple of 5m (\(Timeframe.allCases.filter { $0.milliseconds % 300_000 == 0 }.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        let start = max(Self.origin, ceilToBar(from, timeframe))
        let end = ceilToBar(to, timeframe)
        guard end > start else { return symbols.map { BarSeries(symbol: $0, timeframe: timeframe, bars: []) } }
        let fine = baseBars(symbols: symbols, from: start, to: end)
        return zip(symbols, fine).map { symbol, bars in
            BarSeries(
                symbol: symbol, timeframe: timeframe,
                bars: timeframe == Self.baseTimeframe
                    ? bars : CoarserBars(bars, from: Self.baseTimeframe, into: timeframe).bars)
        }
    }

    private func ceilToBar(_ time: Int64, _ timeframe: Timeframe) -> Int64 {
        let floored = timeframe.floor(time)
        return floored == time ? time : floored + timeframe.milliseconds
    }

    /// Simulates all symbols from the origin (followers need their leader, and every stream must
    /// advance identically whatever was asked) and keeps the 5m bars of `symbols` in `[from, to)`.
    func baseBars(symbols: [String], from: Int64, to: Int64) -> [[Bar]] {
        let step = Self.baseTimeframe.milliseconds
        let firstStep = Int((from - Self.origin) / step)
        let endStep = Int((to - Self.origin) / step)
        let wanted = symbols.map { symbol in specs.firstIndex { $0.symbol == symbol }! }
        var output = Array(repeating: [Bar](), count: symbols.count)
        for index in output.indices { output[index].reserveCapacity(endStep - firstStep) }

        var marketRNG = Xoshiro256(seed: mix64(seed ^ 0x4D4B_54))
        var ownRNG = specs.indices.map { Xoshiro256(seed: mix64(seed &+ UInt64($0) &* 0x1000_0001)) }
        let leaderIndex = specs.map { spec in spec.leader.flatMap { leader in specs.firstIndex { $0.symbol == leader } }
        }
        let ouDecay = specs.map { spec in spec.halfLifeHours.map { exp(-log(2) / ($0 * 12)) } ?? 0 }
        let ouShock = zip(specs, ouDecay).map { spec, decay in
            (spec.spreadStdDev ?? 0) * (1 - decay * decay).squareRoot()
        }
        var market = 0.0
        var walk = Array(repeating: 0.0, count: specs.count)
        var spread = specs.indices.map { index in (specs[index].spreadStdDev ?? 0) * ownRNG[index].normal() }
        var logClose = specs.map { log($0.startPrice) }
        // A follower's start price defines α, so its first log close equals ln P₀ + s₀, as the
        // relation x_A = α + β·x_B + s requires.
        for index in specs.indices where leaderIndex[index] != nil {
            logClose[index] = specs[index].alpha! + specs[index].beta! * logClose[leaderIndex[index]!] + spread[index]
        }
        var previous = logClose

        for stepIndex in 0..<endStep {
            market += Self.marketVolatility * marketRNG.fatTailed()
            // Leaders first: followers read their leader's new value.
            for index in specs.indices where leaderIndex[index] == nil {
                walk[index] += specs[index].ownVolatility * ownRNG[index].fatTailed()
                logClose[index] = log(specs[index].startPrice) + specs[index].marketLoading * market + walk[index]
            }
            for index in specs.indices {
                guard let leader = leaderIndex[index] else { continue }
                spread[index] = ouDecay[index] * spread[index] + ouShock[index] * ownRNG[index].normal()
                logClose[index] = specs[index].alpha! + specs[index].beta! * logClose[leader] + spread[index]
            }
            if stepIndex >= firstStep {
                let openTime = Self.origin + Int64(stepIndex) * step
                for (slot, index) in wanted.enumerated() {
                    output[slot].append(
                        decorate(
                            symbolIndex: index, step: Int64(stepIndex), openTime: openTime,
                            previousLogClose: previous[index], logClose: logClose[index]))
                }
            }
            previous = logClose
        }
        return output
    }

    /// High, low and volume for one bar from keyed draws: they depend only on (seed, symbol, step),
    /// so warming up the path from the origin costs no draws for bars nobody asked for.
    private func decorate(symbolIndex: Int, step: Int64, openTime: Int64, previousLogClose: Double, logClose: Double)
        -> Bar
    {
        var draws = KeyedDraws(seed: seed, stream: UInt64(symbolIndex), step: step)
        let spec = specs[symbolIndex]
        let open = exp(previousLogClose)
        let close = exp(logClose)
        let barVolatility =
            (spec.ownVolatility * spec.ownVolatility
            + pow(spec.marketLoading * Self.marketVolatility, 2)).squareRoot()
        let high = max(open, close) * exp(0.5 * barVolatility * abs(draws.normal()))
        let low = min(open, close) * exp(-0.5 * barVolatility * abs(draws.normal()))
        let move = abs(logClose - previousLogClose) / barVolatility
        let quoteVolume = spec.quoteVolumePerBar * exp(0.6 * draws.normal() - 0.18) * (1 + move)
        return Bar(openTime: openTime, open: open, high: high, low: low, close: close, volume: quoteVolume / close)
    }
}
