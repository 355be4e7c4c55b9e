// swift-tools-version:6.0
import PackageDescription

// Module layout and dependency direction: ARCHITECTURE.md (a test keeps its module table equal to the targets here).
// The scoring server's import closure stays ScoringServer → Scoring → ModelFormat.
let package = Package(
    name: "mntrading",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mntrading", targets: ["mntrading"]),
        .executable(name: "mntrading-serve", targets: ["mntrading-serve"]),
        .executable(name: "mntrading-infer", targets: ["mntrading-infer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
    ],
    targets: [
        // System libraries from Debian packages; scripts/test.sh installs them when missing.
        .systemLibrary(name: "CXGBoost", providers: [.apt(["libxgboost-dev"])]),
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        .target(name: "HTTPClient", dependencies: [
            "CCurl",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "MarketData", dependencies: [
            "HTTPClient",
            .product(name: "GRDB", package: "GRDB.swift"),
            // Raw sqlite3 binds on the bulk-insert path (see BarStore.upsert).
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "PairResearch", dependencies: [
            "MarketData",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        .target(name: "ModelFormat", dependencies: [
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "Yams", package: "Yams"),
        ], exclude: ["Proto"]),
        .target(name: "Scoring", dependencies: ["ModelFormat"]),
        .target(name: "Training", dependencies: [
            "CXGBoost", "PairResearch", "ModelFormat", "Scoring", "Portfolio", "MarketData", "HTTPClient",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .target(name: "Portfolio", dependencies: [
            "MarketData", "ModelFormat",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The inference client's cycle, timer and lock; `mntrading-infer` is a thin shell over it.
        .target(name: "Inference", dependencies: [
            "MarketData", "PairResearch", "Portfolio", "ModelFormat", "HTTPClient",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Flags shared by the `mntrading` and `mntrading-infer` programs.
        .target(name: "CLISupport", dependencies: [
            "MarketData", "Portfolio",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "ScoringServer", dependencies: [
            "Scoring", "ModelFormat",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .executableTarget(name: "mntrading", dependencies: [
            "CLISupport", "MarketData", "PairResearch", "Training", "Portfolio", "HTTPClient", "ModelFormat", "Scoring",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "mntrading-serve", dependencies: [
            "ScoringServer",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "mntrading-infer", dependencies: [
            "CLISupport", "Inference", "MarketData", "Portfolio", "ModelFormat",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Fixture-server helpers shared by the test targets.
        .target(name: "TestSupport", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/TestSupport"),
        .testTarget(name: "MarketDataTests", dependencies: [
            "MarketData", "HTTPClient", "TestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .testTarget(name: "PairResearchTests", dependencies: ["PairResearch", "MarketData"]),
        .testTarget(name: "TrainingTests", dependencies: [
            "Training", "PairResearch", "Portfolio", "MarketData", "ModelFormat", "Scoring",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "InferenceTests", dependencies: [
            "Inference", "Portfolio", "MarketData", "Scoring",
        ]),
        .testTarget(name: "ScoringTests", dependencies: [
            "Scoring", "ModelFormat", "ScoringServer", "HTTPClient", "TestSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "CLITests", dependencies: [
            "MarketData", "HTTPClient", "Portfolio", "PairResearch", "TestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Yams", package: "Yams"),
            // Listed so that `swift test` builds the programs these tests run.
            "mntrading", "mntrading-serve", "mntrading-infer",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
