import GRDB

/// The tables one module owns, as migrations: the owner declares them next to its typed accessors,
/// and `DataStore` applies the schemas it is opened with, in order, each migration once.
///
/// A migration is written to bring any earlier state up to its own, so it may create only what is
/// missing (`CREATE TABLE IF NOT EXISTS`, `addMissingColumns`): stores created before the tables
/// were split by owner (migrations `v1_bars` … `v7_honest_timeline`) open without a rebuild.
public struct StoreSchema: Sendable {
    public struct Migration: Sendable {
        public var id: String
        public var apply: @Sendable (Database) throws -> Void

        public init(_ id: String, apply: @escaping @Sendable (Database) throws -> Void) {
            self.id = id
            self.apply = apply
        }
    }

    /// The owning module, for messages.
    public var owner: String
    public var migrations: [Migration]

    public init(owner: String, migrations: [Migration]) {
        self.owner = owner
        self.migrations = migrations
    }

    static func migrator(_ schemas: [StoreSchema]) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        var seen = Set<String>()
        for schema in schemas {
            for migration in schema.migrations where seen.insert(migration.id).inserted {
                migrator.registerMigration(migration.id, migrate: migration.apply)
            }
        }
        return migrator
    }

    /// Adds the columns `table` lacks (each `name TYPE`), for migrations that must also run on a
    /// store whose table predates them.
    public static func addMissingColumns(_ db: Database, table: String, _ columns: [(name: String, type: String)])
        throws
    {
        let existing = Set(try db.columns(in: table).map(\.name))
        for column in columns where !existing.contains(column.name) {
            try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN \(column.name) \(column.type)")
        }
    }
}
