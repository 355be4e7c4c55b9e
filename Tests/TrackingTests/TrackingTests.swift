import Foundation
import Testing
@testable import Tracking

@Suite struct TrackingTests {
    @Test func settingsFlattenToDottedParams() {
        let flat = TrackedEntries.flatten(["a": ["b": 1, "c": true, "d": NSNull()], "e": [1, 2]] as [String: Any], prefix: "p")
        #expect(flat == ["p.a.b": "1", "p.a.c": "true", "p.a.d": "none", "p.e": "[1,2]"])
    }
}
