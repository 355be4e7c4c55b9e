import Foundation
import GRDB
@testable import Store
import TestSupport
import Testing

struct StoreSchemaTests {
    static let items = StoreSchema(
        owner: "Items",
        migrations: [
            .init("items.v1") { db in
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
            },
            .init("items.v2") { db in
                try StoreSchema.addMissingColumns(db, table: "items", [("price", "REAL"), ("note", "TEXT")])
            }
        ])
    static let others = StoreSchema(
        owner: "Others",
        migrations: [
            .init("others.v1") { db in try db.execute(sql: "CREATE TABLE IF NOT EXISTS others (id INTEGER PRIMARY KEY)")
            }
        ])

    @Test func eachSchemaCreatesItsTablesAndEachMigrationRunsOnce() throws {
        let directory = try temporaryDirectory("store")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try DataStore(dataDirectory: directory, schemas: [Self.items])
        try store.write { db in try db.execute(sql: "INSERT INTO items (name, price) VALUES ('a', 1.5)") }
        // Reopened with another owner's schema added: the first owner's rows stay, the new table appears.
        let reopened = try DataStore(dataDirectory: directory, schemas: [Self.items, Self.others])
        #expect(try reopened.read { db in try db.tableExists("others") })
        #expect(try reopened.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items") } == 1)
        let applied = try reopened.read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        }
        #expect(applied == ["items.v1", "items.v2", "others.v1"])
        // A store opened with fewer schemas than it has keeps working.
        _ = try DataStore(dataDirectory: directory, schemas: [Self.others])
    }

    /// How a store from before the tables were split by owner is brought up to date: a table that
    /// already exists with fewer columns gets the missing ones, its rows untouched.
    @Test func anOlderTableGetsItsMissingColumnsAndKeepsItsRows() throws {
        let directory = try temporaryDirectory("store")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/" + DataStore.fileName
        let legacy = try DatabaseQueue(path: path)
        try legacy.write { db in
            try db.execute(
                sql:
                    "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL); INSERT INTO items (name) VALUES ('kept')"
            )
        }
        try legacy.close()
        let store = try DataStore(path: path, schemas: [Self.items])
        let columns = try store.read { db in try db.columns(in: "items").map(\.name) }
        #expect(columns == ["id", "name", "price", "note"])
        #expect(try store.read { db in try String.fetchAll(db, sql: "SELECT name FROM items") } == ["kept"])
    }

    @Test func aFailingWriteChangesNothingAndNamesTheStore() throws {
        let directory = try temporaryDirectory("store")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try DataStore(dataDirectory: directory, schemas: [Self.items])
        let error = #expect(throws: StoreError.self) {
            try store.write { db in
                try db.execute(sql: "INSERT INTO items (name) VALUES ('a')")
                try db.execute(sql: "INSERT INTO items (name) VALUES (NULL)")
            }
        }
        #expect(error?.description.contains("nothing was changed") == true)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items") } == 0)
    }

    /// A failed write gives back what the write-ahead log grew by (on a full disk, the space a
    /// rollback leaves behind is the space the next write needs).
    @Test func aFailedWriteTruncatesTheWriteAheadLog() throws {
        let directory = try temporaryDirectory("store")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try DataStore(dataDirectory: directory, schemas: [Self.items])
        try store.write { db in
            for index in 0..<5_000 {
                try db.execute(
                    sql: "INSERT INTO items (name) VALUES (?)",
                    arguments: [String(repeating: "x", count: 1_000) + "\(index)"])
            }
        }
        func walBytes() -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: store.path + "-wal"))?[.size] as? Int) ?? 0
        }
        #expect(walBytes() > 1_000_000)
        #expect(throws: StoreError.self) {
            try store.write { db in try db.execute(sql: "INSERT INTO items (name) VALUES (NULL)") }
        }
        #expect(walBytes() == 0)
        #expect(try store.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM items") } == 5_000)
    }

    /// An empty file where the store should be is a store that lost its contents, not a new one.
    @Test func anEmptyStoreFileIsRefusedNotTakenForANewStore() throws {
        let directory = try temporaryDirectory("store")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        FileManager.default.createFile(atPath: directory + "/" + DataStore.fileName, contents: Data())
        let error = #expect(throws: StoreError.self) { try DataStore(dataDirectory: directory, schemas: [Self.items]) }
        #expect(error?.description.contains("is an empty file (0 bytes), not a store") == true)
        #expect(
            (try FileManager.default.attributesOfItem(atPath: directory + "/" + DataStore.fileName))[.size] as? Int == 0
        )
    }

    @Test func aDataDirectoryThatIsAFileIsOneClearError() throws {
        let directory = try temporaryDirectory("store")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/file"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let error = #expect(throws: StoreError.self) { try DataStore(dataDirectory: file, schemas: [Self.items]) }
        #expect(error?.description.contains("cannot create data directory '\(file)'") == true)
    }
}
