import Foundation
import Basics

/// What the synthetic market planted, for tests and for judging the screen: which pairs are
/// cointegrated, with which β and half-life, and which are independent.
public struct SyntheticGroundTruth: Codable, Sendable, Equatable {
    public struct PlantedPair: Codable, Sendable, Equatable {
        /// `<A>__<B>`: A regressed on B.
        public var pair: String
        public var a: String
        public var b: String
        public var beta: Double
        public var alpha: Double
        public var halfLifeHours: Double
        /// Half-life in bars of each timeframe the market offers.
        public var halfLifeBars: [String: Double]
        public var spreadStdDev: Double
    }

    public struct CointegratedPair: Codable, Sendable, Equatable {
        public var pair: String
        public var a: String
        public var b: String
        /// Slope of ln A on ln B implied by the planted relations.
        public var beta: Double
        /// True when this pair's spread is itself the planted OU process.
        public var planted: Bool
    }

    public var seed: UInt64
    public var profile: SyntheticMarket.Profile
    public var origin: String
    public var baseTimeframe: String
    public var symbols: [SyntheticMarket.SymbolSpec]
    public var plantedPairs: [PlantedPair]
    /// Every pair within a cluster (planted ones included); such pairs are cointegrated.
    public var cointegratedPairs: [CointegratedPair]
    /// Pairs from different clusters, as `<X>__<Y>` in symbol order: correlated, never cointegrated.
    public var independentPairs: [String]

    public static func pairID(_ a: String, _ b: String) -> String { PairID(a: a, b: b).text }

    public static func encoder() -> JSONEncoder { ProjectJSON.encoder() }

    public static func decode(_ data: Data) throws -> SyntheticGroundTruth {
        try ProjectJSON.decoder().decode(SyntheticGroundTruth.self, from: data)
    }
}

extension SyntheticMarket {
    public var groundTruth: SyntheticGroundTruth {
        var planted: [SyntheticGroundTruth.PlantedPair] = []
        var cointegrated: [SyntheticGroundTruth.CointegratedPair] = []
        var independent: [String] = []
        let timeframes = Timeframe.allCases.filter { $0.milliseconds % Self.baseTimeframe.milliseconds == 0 }
        for spec in specs {
            guard let leader = spec.leader, let beta = spec.beta, let alpha = spec.alpha,
                let halfLife = spec.halfLifeHours, let spreadStdDev = spec.spreadStdDev
            else { continue }
            planted.append(
                .init(
                    pair: SyntheticGroundTruth.pairID(spec.symbol, leader), a: spec.symbol, b: leader,
                    beta: beta, alpha: alpha, halfLifeHours: halfLife,
                    halfLifeBars: Dictionary(
                        uniqueKeysWithValues: timeframes.map {
                            ($0.rawValue, halfLife * 3_600_000 / Double($0.milliseconds))
                        }),
                    spreadStdDev: spreadStdDev))
        }
        // β of each symbol on its cluster's common trend (the leader's log price): 1 for the leader.
        func loading(_ spec: SymbolSpec) -> Double? {
            switch spec.role {
            case .leader: return 1
            case .follower: return spec.beta
            case .independent: return nil
            }
        }
        for (i, first) in specs.enumerated() {
            for second in specs[(i + 1)...] {
                if first.cluster == second.cluster, let la = loading(first), let lb = loading(second) {
                    // Order as planted where planted (follower on leader), otherwise in symbol order.
                    let (a, b, betaA, betaB) = first.role == .leader ? (second, first, lb, la) : (first, second, la, lb)
                    cointegrated.append(
                        .init(
                            pair: SyntheticGroundTruth.pairID(a.symbol, b.symbol), a: a.symbol, b: b.symbol,
                            beta: betaA / betaB, planted: a.leader == b.symbol))
                } else {
                    independent.append(SyntheticGroundTruth.pairID(first.symbol, second.symbol))
                }
            }
        }
        return SyntheticGroundTruth(
            seed: seed, profile: profile, origin: UTCTime.format(Self.origin),
            baseTimeframe: Self.baseTimeframe.rawValue, symbols: specs,
            plantedPairs: planted, cointegratedPairs: cointegrated, independentPairs: independent)
    }
}
