/// A fixed set of names (a router's pair ids, its feature columns) found by their UTF-8 bytes where
/// they lie in a request body: the fast readers look up every row's pair without making a String
/// or hashing one, which cost more than scoring a row. Bytes are compared exactly; a name written
/// any other way (escapes, another Unicode normal form) is not found here, and the readers leave
/// such a body to the general decoder, which compares Strings.
struct NameTable: Sendable {
    let names: [[UInt8]]
    /// Open addressing: a name's index + 1 at its hash's slot or the next free one; 0 is empty.
    private let slots: [Int32]
    private let mask: Int

    init(_ names: [String]) {
        self.names = names.map { Array($0.utf8) }
        var capacity = 4
        while capacity < 2 * names.count { capacity *= 2 }
        mask = capacity - 1
        var slots = [Int32](repeating: 0, count: capacity)
        for (index, name) in self.names.enumerated() {
            var slot = Self.hash(name[...]) & mask
            // A repeated name keeps its first index, as a dictionary built in order would.
            while slots[slot] != 0 && self.names[Int(slots[slot]) - 1] != name { slot = (slot + 1) & mask }
            if slots[slot] == 0 { slots[slot] = Int32(index + 1) }
        }
        self.slots = slots
    }

    /// FNV-1a: names are short, and any decent spread does for a table at most half full.
    private static func hash(_ bytes: ArraySlice<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }

    /// The index of the name spelled by `bytes[range]`, or nil.
    func index(of range: Range<Int>, in bytes: [UInt8]) -> Int? {
        let text = bytes[range]
        var slot = Self.hash(text) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if names[entry - 1].elementsEqual(text) { return entry - 1 }
            slot = (slot + 1) & mask
        }
    }
}
