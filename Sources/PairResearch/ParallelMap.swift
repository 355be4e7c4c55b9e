import Foundation
import MarketData
import Basics

/// Maps in parallel over both cores (or however many there are), keeping the order of `items`.
package func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
    let results = UnsafeResults<R>(count: items.count)
    DispatchQueue.concurrentPerform(iterations: items.count) { index in
        results.set(index, transform(items[index]))
    }
    return results.values
}

/// Slots written once each, by distinct indices, from concurrent workers.
private final class UnsafeResults<R>: @unchecked Sendable {
    // @unchecked Sendable: every index is written by exactly one iteration of concurrentPerform and
    // read only after it returns, so no slot is ever accessed concurrently.
    // A raw buffer, not an array property: Swift's exclusivity checks would flag concurrent
    // writes to one array even at different indices.
    private let slots: UnsafeMutablePointer<R?>
    private let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }
    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
    func set(_ index: Int, _ value: R) { slots[index] = value }
    var values: [R] { (0..<count).map { slots[$0]! } }
}
