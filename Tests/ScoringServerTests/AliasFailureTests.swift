import Foundation
import HTTPClient
@testable import ModelFormat
import TestSupport
import Testing

/// Every alias change the server cannot follow is counted once, and the version serving goes on
/// serving; when the alias points at a good version again, that one is served.
@Suite(.serialized)
struct AliasFailureTests {
    static func failures(_ http: HTTPClient, _ base: String) throws -> Int {
        let text = try http.get(base + "/metrics").bodyText
        let line = text.split(separator: "\n").first { $0.hasPrefix("mntrading_reload_failures_total ") }
        return line.flatMap { Int($0.split(separator: " ")[1]) } ?? -1
    }

    static func waitFor(_ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    @Test func everyChangeItCannotFollowIsCountedAndTheOldVersionServes() async throws {
        let root = Fixture.directory()
        let outside = ModelStore(root: Fixture.directory())
        defer { try? FileManager.default.removeItem(atPath: outside.root) }
        try Fixture.writeVersion(outside)
        try await ServerTests.withServer(reloadInterval: 0.05, root: root) { base in
            let http = try ServerTests.client()
            let aliases = root + "/router/aliases.json"
            let store = ModelStore(root: root)
            let linked = store.versionDirectory("router", 2)
            try FileManager.default.createSymbolicLink(
                atPath: linked, withDestinationPath: outside.versionDirectory("router", 1))
            try FileManager.default.copyItem(
                atPath: store.versionDirectory("router", 1), toPath: store.versionDirectory("router", 3))
            // Written whole (temp file and rename), as `mntrading models alias` writes it: a poll that
            // caught a half-written file would see one more bad state.
            let breakages: [(String, () throws -> Void)] = [
                (
                    "a missing version",
                    { try Data(#"{"champion": 9}"#.utf8).write(to: URL(fileURLWithPath: aliases), options: .atomic) }
                ),
                ("garbage", { try Data("not json".utf8).write(to: URL(fileURLWithPath: aliases), options: .atomic) }),
                (
                    "a version that is not a number",
                    {
                        try Data(#"{"champion": "two"}"#.utf8).write(
                            to: URL(fileURLWithPath: aliases), options: .atomic)
                    }
                ),
                ("a deleted aliases.json", { try FileManager.default.removeItem(atPath: aliases) }),
                (
                    "a version linked outside the root",
                    { try Data(#"{"champion": 2}"#.utf8).write(to: URL(fileURLWithPath: aliases), options: .atomic) }
                ),
                (
                    "a folder whose router.json names another version",
                    { try Data(#"{"champion": 3}"#.utf8).write(to: URL(fileURLWithPath: aliases), options: .atomic) }
                )
            ]
            for (index, (what, breakIt)) in breakages.enumerated() {
                try breakIt()
                let counted = try Self.waitFor { try Self.failures(http, base) == index + 1 }
                let seen = try Self.failures(http, base)
                #expect(counted, "\(what): not counted once (counter at \(seen))")
                #expect(ServerTests.json(try http.get(base + "/metadata"))["version"] as? Int == 1, "\(what)")
                #expect(try http.get(base + "/ping").status == 200, "\(what)")
            }
            // Counted once each, not once per poll.
            Thread.sleep(forTimeInterval: 0.3)
            #expect(try Self.failures(http, base) == breakages.count)
            // A good version again: served.
            let good = try Fixture.writeVersion(store)
            try Data(#"{"champion": \#(good)}"#.utf8).write(to: URL(fileURLWithPath: aliases), options: .atomic)
            #expect(try Self.waitFor { ServerTests.json(try http.get(base + "/metadata"))["version"] as? Int == good })
        }
    }

    /// A server whose model cannot be loaded at start answers 503 with the reason, and serves the
    /// model once the alias points at a good version: no exit, so no crash loop under a restart policy.
    @Test func aServerStartedWithoutAModelWaitsAndThenServes() async throws {
        let root = Fixture.directory()
        try await ServerTests.withServer(reloadInterval: 0.05, root: root, alias: "missing") { base in
            let http = try ServerTests.client()
            let ping = try http.get(base + "/ping")
            #expect(ping.status == 503)
            #expect(
                ping.bodyText.contains("no model loaded") && ping.bodyText.contains("has no alias 'missing'"),
                "\(ping.bodyText)")
            let invocation = try http.post(
                base + "/invocations", body: Array(ServerTests.split.utf8), contentType: "application/json")
            #expect(
                invocation.status == 503
                    && ServerTests.json(invocation)["error_code"] as? String == "SERVICE_UNAVAILABLE")
            #expect(try http.get(base + "/metadata").status == 503)
            try ModelStore(root: root).setAlias("router", alias: "missing", version: 1)
            #expect(try Self.waitFor { try http.get(base + "/ping").status == 200 })
            #expect(ServerTests.json(try http.get(base + "/metadata"))["version"] as? Int == 1)
        }
    }
}
