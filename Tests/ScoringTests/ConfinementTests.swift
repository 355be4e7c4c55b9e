import Foundation
@testable import ModelFormat
@testable import Scoring
import TestSupport
import Testing

/// A version loads only what lies inside it, links followed, and only under its own number; the
/// same folder refused as a path is refused through every other route too.
struct ConfinementTests {
    /// A store with version 1 and, outside its root, a second store with a good version to link to.
    static func stores() throws -> (inside: ModelStore, outside: ModelStore, cleanup: () -> Void) {
        let inside = ModelStore(root: Fixture.directory()), outside = ModelStore(root: Fixture.directory())
        try Fixture.writeVersion(inside)
        try Fixture.writeVersion(outside)
        return (
            inside, outside,
            { [inside, outside] in
                try? FileManager.default.removeItem(atPath: inside.root)
                try? FileManager.default.removeItem(atPath: outside.root)
            }
        )
    }

    static func copyVersion1(_ store: ModelStore, to version: Int) throws -> String {
        let target = store.versionDirectory("router", version)
        try FileManager.default.copyItem(atPath: store.versionDirectory("router", 1), toPath: target)
        return target
    }

    @Test func aVersionFolderThatLinksOutsideTheRootIsRefusedOnEveryRoute() throws {
        let (inside, outside, cleanup) = try Self.stores()
        defer { cleanup() }
        try FileManager.default.createSymbolicLink(
            atPath: inside.versionDirectory("router", 2), withDestinationPath: outside.versionDirectory("router", 1))
        for uri in ["models:/router/2", "models:/router/latest", inside.versionDirectory("router", 2)] {
            let error = #expect(throws: ModelFormatError.self, "\(uri)") { try inside.resolve(uri) }
            let text = "\(error!)"
            #expect(text.contains("outside") || text.contains("must lie inside the models directory"), "\(text)")
        }
        try Data(#"{"champion": 2}"#.utf8).write(to: URL(fileURLWithPath: inside.root + "/router/aliases.json"))
        #expect(throws: ModelFormatError.self) { try inside.resolve("models:/router@champion") }
        // Moving an alias onto it is refused the same way.
        #expect(throws: ModelFormatError.self) { try inside.setAlias("router", alias: "other", version: 2) }
    }

    @Test func aModelFolderThatLinksOutsideTheRootIsRefused() throws {
        let (inside, outside, cleanup) = try Self.stores()
        defer { cleanup() }
        try FileManager.default.createSymbolicLink(
            atPath: inside.root + "/linked", withDestinationPath: outside.root + "/router")
        #expect(throws: ModelFormatError.self) { try inside.resolve("models:/linked/1") }
    }

    @Test(arguments: ["members", "members/P1__X.onnx", "router.json", "MLmodel"])
    func aFileOrFolderInsideAVersionThatLinksOutIsRefused(_ item: String) throws {
        let (inside, outside, cleanup) = try Self.stores()
        defer { cleanup() }
        let version = inside.versionDirectory("router", try Fixture.writeVersion(inside))
        try FileManager.default.removeItem(atPath: version + "/" + item)
        try FileManager.default.createSymbolicLink(
            atPath: version + "/" + item, withDestinationPath: outside.versionDirectory("router", 1) + "/" + item)
        let error = #expect(throws: ModelFormatError.self) { try RouterModel.load(version) }
        #expect("\(error!)".contains("outside"), "\(error!)")
        // A link that stays inside the version is fine.
        let ok = inside.versionDirectory("router", try Fixture.writeVersion(inside))
        try FileManager.default.moveItem(atPath: ok + "/router.json", toPath: ok + "/manifest.json")
        try FileManager.default.createSymbolicLink(
            atPath: ok + "/router.json", withDestinationPath: ok + "/manifest.json")
        #expect(try RouterModel.load(ok).manifest.version == 3)
    }

    @Test func aVersionsNumberMustMatchItsFolder() throws {
        let (inside, _, cleanup) = try Self.stores()
        defer { cleanup() }
        let version = try Self.copyVersion1(inside, to: 8)
        let error = #expect(throws: ModelFormatError.self) { try RouterModel.load(version) }
        #expect("\(error!)".contains("says version 1 but lies in version folder 8"), "\(error!)")
        #expect(try RouterModel.load(inside.versionDirectory("router", 1)).manifest.version == 1)
    }

    /// With the server's load as its check, the store refuses to write a version or move an alias
    /// onto one that would not load; the alias stays where it was.
    @Test func theStoreRefusesAVersionThatWouldNotLoad() throws {
        let root = Fixture.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root, verify: RouterModel.verifier)
        try Fixture.writeVersion(store)
        try store.setAlias("router", alias: "champion", version: 1)
        #expect(throws: ModelFormatError.self) {
            try Fixture.writeVersion(store) { try FileManager.default.removeItem(atPath: $0 + "/members/P1__X.onnx") }
        }
        #expect(store.versions("router") == [1])
        // A corrupt version written by something else: the alias does not move onto it.
        try Fixture.writeVersion(ModelStore(root: root)) {
            try Data("junk".utf8).write(to: URL(fileURLWithPath: $0 + "/members/P2__Y.onnx"))
        }
        let error = #expect(throws: ModelFormatError.self) {
            try store.setAlias("router", alias: "champion", version: 2)
        }
        #expect("\(error!)".contains("would not load"), "\(error!)")
        #expect(try store.aliases("router") == ["champion": 1])
    }
}
