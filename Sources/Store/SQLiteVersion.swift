import GRDBSQLite

extension DataStore {
    /// The linked SQLite library's version, for `--version` output.
    public static var sqliteVersion: String { String(cString: sqlite3_libversion()) }
}
