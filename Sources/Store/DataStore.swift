import Basics
import Foundation
import GRDB

/// The project's SQLite database (`<data-dir>/mntrading.sqlite`): WAL mode, so another process can
/// read while this one writes; every bulk write is one transaction, so a failure leaves the
/// database as it was. It owns no tables: each module brings the schema of the tables it owns
/// (`StoreSchema`), and whoever opens the store names the schemas it needs.
public final class DataStore: Sendable {
    public static let fileName = "mntrading.sqlite"

    public let path: String
    public let pool: DatabasePool

    /// Opens (creating when missing) the store inside `dataDirectory`.
    public convenience init(dataDirectory: String, schemas: [StoreSchema]) throws {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw StoreError("cannot create data directory '\(dataDirectory)': \(Self.reason(error))")
        }
        try self.init(path: (dataDirectory as NSString).appendingPathComponent(Self.fileName), schemas: schemas)
    }

    public init(path: String, schemas: [StoreSchema]) throws {
        self.path = path
        // SQLite takes an empty file for a new database; here it is a store that lost its contents
        // (a truncated copy, a failed restore), which must not silently start again from nothing.
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size == 0 {
            throw StoreError(
                "'\(path)' is an empty file (0 bytes), not a store: restore it from a backup, or remove it to start a new store"
            )
        }
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
            try StoreSchema.migrator(schemas).migrate(pool)
        } catch {
            throw StoreError("cannot open store '\(path)': \(Self.reason(error))")
        }
    }

    /// Whether `error` is the store failing (a `StoreError`, or SQLite's own reached without the
    /// store's wrapping): exit 74 to whoever ran the command.
    public static func isStoreFailure(_ error: Error) -> Bool { error is StoreError || error is DatabaseError }

    public static func reason(_ error: Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return FileWriteError.reason(error)
    }

    /// Runs `body` in one write transaction, translating SQLite errors (disk full, read-only file)
    /// into one message that names the store; an error thrown by `body` passes through unchanged.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as DatabaseError {
            // A rolled-back transaction can leave the write-ahead log grown by what it wrote (tens
            // of MB on a full disk); truncating it gives the space back.
            _ = try? pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            throw StoreError("write to '\(path)' failed, nothing was changed: \(Self.reason(error))")
        }
    }

    /// Only SQLite's own errors are rephrased; an error thrown by `body` passes through unchanged.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as DatabaseError {
            throw StoreError("read from '\(path)' failed: \(Self.reason(error))")
        }
    }
}
