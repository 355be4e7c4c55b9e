/// A request body as the readers take it: its bytes followed by one 0, the terminator that lets
/// them look a byte ahead without a bounds test. The server builds it once, from the body's chunks
/// as they arrive: the one copy of the body between the socket and the feature matrix.
public struct BodyBytes: Sendable {
    /// The bytes, then the terminating 0.
    private(set) var terminated: [UInt8]

    public init(_ bytes: [UInt8]) { terminated = bytes + [0] }

    public init(capacity: Int) {
        terminated = []
        terminated.reserveCapacity(capacity + 1)
        terminated.append(0)
    }

    public mutating func append(contentsOf bytes: some Collection<UInt8>) {
        terminated.removeLast()
        terminated.append(contentsOf: bytes)
        terminated.append(0)
    }

    public var count: Int { terminated.count - 1 }

    /// The body without its terminator (a copy: for the general CSV reader, a rare slow path).
    public var bytes: [UInt8] { Array(terminated.dropLast()) }
}
