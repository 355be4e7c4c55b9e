/// A batch that does not fit the schema, or a codec failure: a bug of the caller or the library,
/// named with the column it concerns.
public struct ParquetError: Error, CustomStringConvertible, Equatable {
    public var description: String

    init(_ description: String) { self.description = description }
}
