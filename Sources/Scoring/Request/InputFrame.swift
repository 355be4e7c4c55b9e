import Foundation

/// One cell of an input table before it is cast to the schema.
public enum Cell: Sendable, Equatable {
    case number(Double)
    case string(String)
    case missing
}

/// The rows of an /invocations request, by column name, whatever shape it arrived in.
public struct InputFrame: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[Cell]]

    public init(columns: [String], rows: [[Cell]]) {
        self.columns = columns
        self.rows = rows
    }
}
