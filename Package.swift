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
        .executable(name: "mntrading-infer", targets: ["mntrading-infer"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0")
    ],
    targets: [
        // System libraries from Debian packages; scripts/test.sh installs them when missing.
        .systemLibrary(name: "CXGBoost", providers: [.apt(["libxgboost-dev"])]),
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CZip", providers: [.apt(["libzip-dev"])]),
        .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "COpenSSLCrypto", providers: [.apt(["libssl-dev"])]),

        // The vocabulary every module shares: pair ids, the atomic write, the JSON coder, the version.
        .target(name: "Basics"),
        .target(
            name: "HTTPClient",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log")
            ]),
        // The SQLite database; each module below brings the schema of the tables it owns.
        .target(
            name: "Store",
            dependencies: [
                "Basics",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift")
            ]),
        .target(
            name: "MarketData",
            dependencies: [
                "Basics", "Store", "HTTPClient", "CZip", "COpenSSLCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                // Raw sqlite3 binds on the bulk-insert path (see BarStore.upsert).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log")
            ]),
        .target(
            name: "PairResearch",
            dependencies: [
                "Basics", "Store", "MarketData",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift")
            ]),
        .target(
            name: "ModelFormat",
            dependencies: [
                "Basics",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Yams", package: "Yams")
            ], exclude: ["Proto"]),
        // The AVX-512 batch walk (C: intrinsics and per-function target attributes, which Swift lacks).
        .target(name: "ScoringKernels"),
        .target(name: "Scoring", dependencies: ["Basics", "ModelFormat", "ScoringKernels"]),
        // Backtest maths only: no store, no files, no rendering.
        .target(name: "Backtest", dependencies: ["ModelFormat"]),
        // What a training run stored, readable without XGBoost (the report and the client read it).
        .target(
            name: "TrainingRecords",
            dependencies: [
                "Basics", "Store", "Backtest", "ModelFormat", "PairResearch", "MarketData",
                .product(name: "GRDB", package: "GRDB.swift")
            ]),
        .target(
            name: "Training",
            dependencies: [
                "CXGBoost", "Basics", "Store", "TrainingRecords", "Backtest", "PairResearch", "ModelFormat",
                "MarketData",
                .product(name: "GRDB", package: "GRDB.swift")
            ]),
        .target(
            name: "Pipeline",
            dependencies: [
                "Basics", "Store", "Training", "TrainingRecords", "PairResearch", "MarketData", "ModelFormat",
                "Scoring", "HTTPClient",
                .product(name: "GRDB", package: "GRDB.swift")
            ]),
        // The live outputs: signals, orders, the report and its charts, the cycle lock.
        .target(
            name: "Portfolio",
            dependencies: [
                "Basics", "Store", "Backtest", "TrainingRecords", "PairResearch", "MarketData", "ModelFormat",
                .product(name: "GRDB", package: "GRDB.swift")
            ]),
        // The inference client's cycle, timer and lock; `mntrading-infer` is a thin shell over it.
        .target(
            name: "Inference",
            dependencies: [
                "Basics", "Store", "MarketData", "PairResearch", "Portfolio", "TrainingRecords", "ModelFormat",
                "HTTPClient",
                .product(name: "Logging", package: "swift-log")
            ]),
        // Benchmarks and member export, reached only through hidden commands.
        .target(
            name: "DevTools",
            dependencies: [
                "Basics", "Store", "Training", "TrainingRecords", "PairResearch", "MarketData", "ModelFormat",
                "Scoring",
                .product(name: "GRDB", package: "GRDB.swift")
            ]),
        // The Parquet file format, written by our own code (no Arrow or Parquet library exists here).
        .target(name: "Parquet", dependencies: ["CZstd"]),
        // The stored tables written out for analysts: CSV or Parquet, filtered by pair and time.
        .target(
            name: "Exports",
            dependencies: [
                "Basics", "Store", "MarketData", "PairResearch", "TrainingRecords", "Portfolio", "Parquet",
                .product(name: "GRDB", package: "GRDB.swift")
            ]),
        // Flags shared by the `mntrading` and `mntrading-infer` programs.
        .target(
            name: "CLISupport",
            dependencies: [
                "Basics", "Store", "MarketData", "PairResearch", "Portfolio", "TrainingRecords",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log")
            ]),
        // MLflow's REST API (runs, artifacts, registry) and the registry alias followed into a local
        // model store; no store and no training, so the scoring server may use it.
        .target(
            name: "MLflowClient",
            dependencies: [
                "Basics", "HTTPClient", "ModelFormat",
                .product(name: "Logging", package: "swift-log")
            ]),
        // What the batch side logs to MLflow, kept in the store first (offline first) and synced.
        .target(
            name: "Tracking",
            dependencies: [
                "Basics", "Store", "MLflowClient", "Training", "Backtest", "ModelFormat",
                .product(name: "GRDB", package: "GRDB.swift")
            ]),
        .target(
            name: "ScoringServer",
            dependencies: [
                "Basics", "Scoring", "ModelFormat",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log")
            ]),

        // The operations API and dashboard (`mntrading ops`): tasks as child processes, pages, promote/roll back.
        .target(
            name: "Operations",
            dependencies: [
                "Basics", "Store", "MarketData", "PairResearch", "TrainingRecords", "Portfolio", "Backtest",
                "ModelFormat",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio")
            ]),
        .executableTarget(
            name: "mntrading",
            dependencies: [
                "Operations", "CLISupport", "Basics", "Store", "MarketData", "PairResearch", "Training",
                "TrainingRecords", "Pipeline", "DevTools", "Portfolio", "Backtest", "HTTPClient", "ModelFormat",
                "Scoring", "MLflowClient", "Tracking", "Exports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log")
            ]),
        .executableTarget(
            name: "mntrading-serve",
            dependencies: [
                "ScoringServer", "Basics", "Scoring", "ModelFormat", "MLflowClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]),
        .executableTarget(
            name: "mntrading-infer",
            dependencies: [
                "CLISupport", "Basics", "Store", "Inference", "MarketData", "Portfolio", "ModelFormat",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log")
            ]),

        // Helpers shared by the test targets: fixture servers, model fixtures, temporary
        // directories, a seeded generator.
        .target(
            name: "TestSupport",
            dependencies: [
                "Basics", "ModelFormat",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log")
            ], path: "Tests/TestSupport"),
        // One test target per library module (ARCHITECTURE.md); CLITests runs the programs.
        .testTarget(name: "BasicsTests", dependencies: ["Basics", "TestSupport"]),
        .testTarget(
            name: "HTTPClientTests",
            dependencies: [
                "HTTPClient", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird")
            ]),
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "Store", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift")
            ]),
        .testTarget(
            name: "MarketDataTests",
            dependencies: [
                "MarketData", "Store", "HTTPClient", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird")
            ]),
        .testTarget(
            name: "PairResearchTests", dependencies: ["PairResearch", "MarketData", "Store", "Basics", "TestSupport"]),
        .testTarget(name: "ModelFormatTests", dependencies: ["ModelFormat", "Scoring", "Basics", "TestSupport"]),
        .testTarget(name: "ScoringTests", dependencies: ["Scoring", "ModelFormat", "Basics", "TestSupport"]),
        .testTarget(name: "ScoringKernelsTests", dependencies: ["ScoringKernels", "Scoring"]),
        .testTarget(name: "BacktestTests", dependencies: ["Backtest", "ModelFormat"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet"]),
        .testTarget(
            name: "ExportsTests",
            dependencies: [
                "Exports", "Parquet", "MarketData", "PairResearch", "TrainingRecords", "Portfolio", "Store",
                "TestSupport",
                // The fixture writes the owners' tables by SQL.
                .product(name: "GRDB", package: "GRDB.swift")
            ]),
        .testTarget(
            name: "TrainingRecordsTests",
            dependencies: [
                "TrainingRecords", "Backtest", "Store", "ModelFormat", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift")
            ]),
        .testTarget(
            name: "TrainingTests",
            dependencies: [
                "Training", "TrainingRecords", "Backtest", "PairResearch", "MarketData", "Store", "ModelFormat",
                "Scoring", "Basics", "CLISupport", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift")
            ]),
        .testTarget(
            name: "PortfolioTests",
            dependencies: [
                "Portfolio", "Backtest", "TrainingRecords", "PairResearch", "MarketData", "ModelFormat", "Store",
                "Basics", "CLISupport", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift")
            ]),
        .testTarget(
            name: "InferenceTests",
            dependencies: [
                "Inference", "Portfolio", "MarketData", "Scoring", "ModelFormat", "TestSupport"
            ]),
        .testTarget(
            name: "OperationsTests",
            dependencies: [
                "Operations", "Portfolio", "MarketData", "PairResearch", "TrainingRecords", "ModelFormat", "Store",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird")
            ]),
        .testTarget(
            name: "ScoringServerTests",
            dependencies: [
                "ScoringServer", "Scoring", "ModelFormat", "HTTPClient", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log")
            ]),
        .testTarget(
            name: "MLflowClientTests",
            dependencies: [
                "MLflowClient", "ModelFormat", "Scoring", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird")
            ]),
        .testTarget(
            name: "TrackingTests",
            dependencies: [
                "Tracking", "MLflowClient", "Store", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio")
            ]),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "MarketData", "Store", "Basics", "PairResearch", "TrainingRecords", "Pipeline", "Portfolio",
                "ModelFormat", "HTTPClient", "TestSupport", "CLISupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Yams", package: "Yams"),
                // Listed so that `swift test` builds the programs these tests run.
                "mntrading", "mntrading-serve", "mntrading-infer"
            ])
    ],
    swiftLanguageModes: [.v6]
)
