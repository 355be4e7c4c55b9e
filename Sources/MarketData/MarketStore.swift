import Foundation
import GRDB
import GRDBSQLite

/// The project's SQLite database (`<data-dir>/mntrading.sqlite`): WAL mode, so another process can
/// read while this one writes; schema created and evolved by migrations; every bulk write is one
/// transaction, so a failure leaves the database as it was.
public final class MarketStore: Sendable {
    public static let fileName = "mntrading.sqlite"

    public let path: String
    public let pool: DatabasePool

    /// Opens (creating when missing) the store inside `dataDirectory`.
    public convenience init(dataDirectory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw MarketDataError.store("cannot create data directory '\(dataDirectory)': \(Self.reason(error))")
        }
        try self.init(path: (dataDirectory as NSString).appendingPathComponent(Self.fileName))
    }

    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        // A writer in another process holds the lock briefly; wait for it rather than fail.
        configuration.busyMode = .timeout(30)
        configuration.label = "mntrading.store"
        configuration.prepareDatabase { db in
            // Bulk ingests touch tens of MB of B-tree pages; a 64 MiB page cache keeps them from
            // spilling to disk mid-transaction. NORMAL sync is durable in WAL mode at commit
            // boundaries except on power loss, the standard trade-off for WAL.
            try db.execute(sql: "PRAGMA cache_size = -65536; PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw MarketDataError.store("cannot open store '\(path)': \(Self.reason(error))")
        }
    }

    public static func reason(_ error: Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        if let error = error as? CocoaError, let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError {
            return underlying.localizedDescription
        }
        return (error as NSError).localizedDescription
    }

    /// Runs `body` in one write transaction, translating SQLite errors (disk full, read-only file)
    /// into one message that names the store; an error thrown by `body` passes through unchanged.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as DatabaseError {
            throw MarketDataError.store("write to '\(path)' failed, nothing was changed: \(Self.reason(error))")
        }
    }

    /// Only SQLite's own errors are rephrased; an error thrown by `body` passes through unchanged.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as DatabaseError {
            throw MarketDataError.store("read from '\(path)' failed: \(Self.reason(error))")
        }
    }

    /// Every schema change is a new migration appended here; applied migrations never change.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1_bars") { db in
            try db.execute(sql: """
                CREATE TABLE bars (
                    symbol TEXT NOT NULL,
                    timeframe TEXT NOT NULL,
                    open_time INTEGER NOT NULL,
                    open REAL NOT NULL,
                    high REAL NOT NULL,
                    low REAL NOT NULL,
                    close REAL NOT NULL,
                    volume REAL NOT NULL,
                    is_filled INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (symbol, timeframe, open_time)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2_research") { db in
            try db.execute(sql: """
                CREATE TABLE screening_runs (
                    id TEXT PRIMARY KEY,
                    created_at INTEGER NOT NULL,
                    timeframe TEXT NOT NULL,
                    parameters TEXT NOT NULL,
                    symbols INTEGER NOT NULL,
                    pairs_tested INTEGER NOT NULL,
                    pairs_selected INTEGER NOT NULL,
                    file TEXT NOT NULL
                );
                CREATE TABLE screened_pairs (
                    run_id TEXT NOT NULL REFERENCES screening_runs(id) ON DELETE CASCADE,
                    pair TEXT NOT NULL,
                    a TEXT NOT NULL,
                    b TEXT NOT NULL,
                    selected INTEGER NOT NULL,
                    reason TEXT,
                    beta REAL, alpha REAL, adf_stat REAL, pvalue REAL, lags INTEGER,
                    half_life REAL, corr REAL, n INTEGER,
                    crit_1 REAL, crit_5 REAL, crit_10 REAL,
                    PRIMARY KEY (run_id, pair)
                );
                CREATE TABLE feature_sets (
                    pair TEXT NOT NULL,
                    timeframe TEXT NOT NULL,
                    a TEXT NOT NULL,
                    b TEXT NOT NULL,
                    parameters TEXT NOT NULL,
                    first_open_time INTEGER NOT NULL,
                    last_open_time INTEGER,
                    rows INTEGER NOT NULL,
                    PRIMARY KEY (pair, timeframe)
                );
                CREATE TABLE features (
                    pair TEXT NOT NULL,
                    timeframe TEXT NOT NULL,
                    open_time INTEGER NOT NULL,
                    close_a REAL NOT NULL, close_b REAL NOT NULL,
                    beta REAL NOT NULL, alpha REAL NOT NULL, spread REAL NOT NULL,
                    z REAL NOT NULL, z_velocity REAL NOT NULL, z_acceleration REAL NOT NULL,
                    spread_volatility REAL NOT NULL, half_life REAL NOT NULL,
                    volume_ratio_a REAL NOT NULL, volume_ratio_b REAL NOT NULL,
                    beta_long REAL NOT NULL, z_long REAL NOT NULL,
                    PRIMARY KEY (pair, timeframe, open_time)
                ) WITHOUT ROWID;
                CREATE TABLE datasets (
                    id TEXT PRIMARY KEY,
                    created_at INTEGER NOT NULL,
                    timeframe TEXT NOT NULL,
                    parameters TEXT NOT NULL,
                    pairs INTEGER NOT NULL,
                    rows INTEGER NOT NULL,
                    labelled_rows INTEGER NOT NULL,
                    positive_rate REAL
                );
                CREATE TABLE dataset_rows (
                    dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
                    pair TEXT NOT NULL,
                    open_time INTEGER NOT NULL,
                    label INTEGER,
                    forward_move REAL,
                    PRIMARY KEY (dataset_id, pair, open_time)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3_training") { db in
            try db.execute(sql: """
                CREATE TABLE training_runs (
                    id TEXT PRIMARY KEY,
                    created_at INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    dataset_id TEXT NOT NULL,
                    parameters TEXT NOT NULL,
                    code_version TEXT NOT NULL,
                    window_start INTEGER,
                    window_end INTEGER,
                    pairs INTEGER NOT NULL,
                    trained INTEGER NOT NULL,
                    report_file TEXT
                );
                CREATE TABLE training_pairs (
                    run_id TEXT NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
                    pair TEXT NOT NULL,
                    status TEXT NOT NULL,
                    reason TEXT,
                    result TEXT NOT NULL,
                    model BLOB,
                    PRIMARY KEY (run_id, pair)
                );
                CREATE TABLE oof_predictions (
                    run_id TEXT NOT NULL,
                    pair TEXT NOT NULL,
                    open_time INTEGER NOT NULL,
                    fold INTEGER NOT NULL,
                    raw REAL NOT NULL,
                    calibrated REAL NOT NULL,
                    label INTEGER NOT NULL,
                    PRIMARY KEY (run_id, pair, open_time)
                ) WITHOUT ROWID;
                CREATE TABLE selections (
                    run_id TEXT NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
                    pair TEXT NOT NULL,
                    selected INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    rank INTEGER,
                    sharpe REAL,
                    max_drawdown REAL,
                    oof_roc_auc REAL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (run_id, pair)
                );
                """)
        }
        migrator.registerMigration("v4_inference") { db in
            // One row per scored bar and model version: a rerun of a cycle inserts nothing new.
            try db.execute(sql: """
                CREATE TABLE signals (
                    pair TEXT NOT NULL,
                    open_time INTEGER NOT NULL,
                    model_version INTEGER NOT NULL,
                    model_name TEXT NOT NULL,
                    timeframe TEXT NOT NULL,
                    leg_a TEXT NOT NULL,
                    leg_b TEXT NOT NULL,
                    proba REAL NOT NULL,
                    signal INTEGER NOT NULL,
                    threshold REAL NOT NULL,
                    z REAL NOT NULL,
                    beta REAL NOT NULL,
                    close_a REAL NOT NULL,
                    close_b REAL NOT NULL,
                    spread_volatility REAL NOT NULL,
                    scored_at INTEGER NOT NULL,
                    PRIMARY KEY (pair, open_time, model_version)
                ) WITHOUT ROWID;
                CREATE INDEX signals_by_time ON signals (model_version, open_time);
                CREATE TABLE orders (
                    as_of INTEGER NOT NULL,
                    model_version INTEGER NOT NULL,
                    pair TEXT NOT NULL,
                    symbol TEXT NOT NULL,
                    side TEXT NOT NULL,
                    notional REAL NOT NULL,
                    quantity REAL NOT NULL,
                    price REAL NOT NULL,
                    weight REAL NOT NULL,
                    proba REAL NOT NULL,
                    parameters TEXT NOT NULL,
                    PRIMARY KEY (as_of, model_version, pair, symbol)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v5_pipeline") { db in
            // The fingerprint of each pipeline stage's inputs when it last completed.
            try db.execute(sql: """
                CREATE TABLE pipeline_stages (
                    stage TEXT PRIMARY KEY,
                    fingerprint TEXT NOT NULL,
                    finished_at INTEGER NOT NULL,
                    summary TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v6_oof_returns") { db in
            // Each trained pair's out-of-fold strategy return per bar (after fees), so a report's
            // portfolio figures are computed per bar rather than from sampled equity curves.
            try db.execute(sql: """
                CREATE TABLE oof_returns (
                    run_id TEXT NOT NULL,
                    pair TEXT NOT NULL,
                    open_time INTEGER NOT NULL,
                    ret REAL NOT NULL,
                    PRIMARY KEY (run_id, pair, open_time)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v7_honest_timeline") { db in
            // The research timeline: which bars a screen saw, which screen a dataset's pairs came
            // from, where a run's holdout starts and how many trials it took; the holdout's
            // per-bar returns beside the out-of-fold ones; selection figures of all three periods.
            try db.execute(sql: """
                ALTER TABLE screening_runs ADD COLUMN window_start INTEGER;
                ALTER TABLE screening_runs ADD COLUMN window_end INTEGER;
                ALTER TABLE datasets ADD COLUMN screening_run_id TEXT;
                ALTER TABLE training_runs ADD COLUMN holdout_start INTEGER;
                ALTER TABLE training_runs ADD COLUMN trials INTEGER;
                ALTER TABLE training_runs ADD COLUMN pbo REAL;
                CREATE TABLE holdout_returns (
                    run_id TEXT NOT NULL,
                    pair TEXT NOT NULL,
                    open_time INTEGER NOT NULL,
                    ret REAL NOT NULL,
                    PRIMARY KEY (run_id, pair, open_time)
                ) WITHOUT ROWID;
                ALTER TABLE selections ADD COLUMN oof_trades INTEGER;
                ALTER TABLE selections ADD COLUMN deflated_sharpe REAL;
                ALTER TABLE selections ADD COLUMN holdout_sharpe REAL;
                ALTER TABLE selections ADD COLUMN holdout_trades INTEGER;
                ALTER TABLE selections ADD COLUMN guardrails INTEGER;
                """)
        }
        return migrator
    }
}
