import Foundation
import TestSupport
@testable import ModelFormat
import Testing
import Scoring

struct RegistryTests {
    @Test func versionsAliasesAndURIs() throws {
        let root = Fixture.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root)
        #expect(try Fixture.writeVersion(store) == 1)
        #expect(try Fixture.writeVersion(store) == 2)
        #expect(store.versions("router") == [1, 2])
        try store.setAlias("router", alias: "champion", version: 2)
        #expect(try store.resolve("models:/router@champion").version == 2)
        #expect(try store.resolve("models:/router/latest").version == 2)
        #expect(try store.resolve("models:/router/1").directory == store.versionDirectory("router", 1))
        // Rollback is pointing the alias back.
        try store.setAlias("router", alias: "champion", version: 1)
        #expect(try store.resolve("models:/router@champion").version == 1)
        #expect(try store.resolve(root + "/router/2").directory.hasSuffix("/router/2"))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: root + "/router").filter { $0.hasPrefix(".") }.isEmpty)
    }

    @Test(arguments: [
        "models:/router/9", "models:/router@nope", "models:/other/latest", "models:/router", "models:/../x/1", "/etc",
        "../outside"
    ])
    func badURIsAreRejected(uri: String) throws {
        let root = Fixture.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root)
        try Fixture.writeVersion(store)
        #expect(throws: ModelFormatError.self) { _ = try store.resolve(uri) }
    }

    /// A temporary directory a killed writer left (an hour old) goes with the next version written;
    /// one a writer may still be filling stays; a refused version's problem names the version, not
    /// the temporary directory's random name.
    @Test func abandonedTemporariesAreCleanedAndProblemsNameTheVersion() throws {
        let root = Fixture.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root, verify: { _ = try RouterModel.load($0) })
        try Fixture.writeVersion(store)
        let abandoned = root + "/router/.tmp-2-killed", fresh = root + "/router/.tmp-2-busy"
        for path in [abandoned, fresh] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-7_200)], ofItemAtPath: abandoned)
        try Fixture.writeVersion(store)
        #expect(!FileManager.default.fileExists(atPath: abandoned) && FileManager.default.fileExists(atPath: fresh))
        let error = #expect(throws: ModelFormatError.self) {
            try Fixture.writeVersion(store) { directory in
                try Data("not onnx".utf8).write(to: URL(fileURLWithPath: directory + "/members/P1__X.onnx"))
            }
        }
        #expect(
            error.map { "\($0)" }?.contains(".tmp-") == false
                && error.map { "\($0)" }?.contains("router version 3") == true, "\(String(describing: error))")
    }

    @Test func anAliasCannotPointAtAMissingVersion() throws {
        let root = Fixture.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root)
        try Fixture.writeVersion(store)
        #expect(throws: ModelFormatError.self) { try store.setAlias("router", alias: "champion", version: 5) }
    }

    @Test(arguments: [
        ("members/P2__Y.onnx", "missing or unreadable"),
        ("corrupt", "not an ONNX model"),
        ("MLmodel", "not an MLmodel with the mntrading_router flavor"),
        ("format", "unknown format_version")
    ])
    func aBrokenVersionFailsToLoadNamingTheFile(damage: String, message: String) throws {
        let root = Fixture.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root)
        try Fixture.writeVersion(store) { directory in
            switch damage {
            case "corrupt": try Data([1, 2, 3, 255]).write(to: URL(fileURLWithPath: directory + "/members/P1__X.onnx"))
            case "MLmodel": try "just: text".write(toFile: directory + "/MLmodel", atomically: false, encoding: .utf8)
            case "format":
                let text = try String(contentsOfFile: directory + "/MLmodel", encoding: .utf8).replacingOccurrences(
                    of: "format_version: 1", with: "format_version: 9")
                try text.write(toFile: directory + "/MLmodel", atomically: false, encoding: .utf8)
            default: try FileManager.default.removeItem(atPath: directory + "/" + damage)
            }
        }
        #expect {
            _ = try RouterModel(directory: store.versionDirectory("router", 1))
        } throws: { error in
            "\(error)".contains(message) && "\(error)".contains(store.versionDirectory("router", 1))
        }
    }
}
