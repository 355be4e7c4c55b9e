import Basics
import Foundation
import GRDB
import Store

/// A screening run as training needs it: its rules and the window of bars it saw.
public struct ScreenRecord: Sendable {
    public var parameters: ScreeningParameters
    /// First bar's open and last bar's close (ms); nil for runs stored before windows were.
    public var window: [Int64]?

    /// nil for a dataset whose pairs came from a file.
    public static func load(_ id: String?, store: DataStore) throws -> ScreenRecord? {
        guard let id,
            let row = try store.read({ db in
                try Row.fetchOne(
                    db, sql: "SELECT parameters, window_start, window_end FROM screening_runs WHERE id = ?",
                    arguments: [id])
            })
        else { return nil }
        let parameters = try ProjectJSON.decoder().decode(
            ScreeningParameters.self, from: Data((row["parameters"] as String).utf8))
        let window = (row["window_start"] as Int64?).flatMap { start in
            (row["window_end"] as Int64?).map { [start, $0] }
        }
        return ScreenRecord(parameters: parameters, window: window)
    }
}
