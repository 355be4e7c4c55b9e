/// The store could not be opened, read or written; a failed write changed nothing.
public struct StoreError: Error, CustomStringConvertible, Equatable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
