import Foundation
import ModelFormat
import Scoring
import TestSupport
import Testing

/// The version folder's one writer and reader: what it writes it reads back, file for file, and a
/// folder it would not serve is refused naming the file at fault.
struct RouterVersionTests {
    /// Writes version 1 of "router" with members P1__X and P2__Y and an example of one row each;
    /// `numbered` gives the version its router.json says.
    static func write(_ store: ModelStore, numbered: (Int) -> Int = { $0 }) throws -> (RouterManifest, [UInt8]) {
        let bytes = try ONNXMember.serialize(Fixture.stump, name: "stump")
        var written: RouterManifest?
        _ = try store.addVersion("router") { directory, version in
            let manifest = Fixture.manifest(version: numbered(version), pairs: ["P1__X", "P2__Y"])
            try RouterVersion.write(
                manifest: manifest, members: manifest.members.map { ($0.file, bytes) },
                exampleRows: [["P1__X", 1.5, 0.25], ["P2__Y", -1.5, 0.5]], mlmodelUUID: "abc",
                createdAt: Date(timeIntervalSince1970: 0), into: directory)
            written = manifest
        }
        return (written!, bytes)
    }

    @Test func whatIsWrittenIsReadBack() throws {
        let root = Fixture.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root)
        let (manifest, bytes) = try Self.write(store)
        let directory = store.versionDirectory("router", 1)
        let version = try RouterVersion(directory: directory)
        #expect(version.manifest == manifest)
        // Exactly the files the version names, nothing beside them.
        let onDisk = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory + "/" + $0, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }
        #expect(Set(onDisk) == Set(version.files))
        #expect(
            version.files.sorted() == [
                "MLmodel", "input_example.json", "members/P1__X.onnx", "members/P2__Y.onnx", "router.json"
            ])
        for member in manifest.members {
            #expect(FileManager.default.contents(atPath: try version.memberPath(member)) == Data(bytes))
        }
        let example = try #require(try RouterVersion.example(in: directory))
        let split = try #require(
            (try JSONSerialization.jsonObject(with: example) as? [String: Any])?["dataframe_split"] as? [String: Any])
        #expect(split["columns"] as? [String] == ["pair"] + Fixture.columns)
        #expect((split["data"] as? [[Any]])?.count == 2)
        try MLmodelFile.validate(path: directory + "/" + RouterVersion.mlmodelFile)
        let mlmodel = try String(contentsOfFile: directory + "/MLmodel", encoding: .utf8)
        #expect(mlmodel.contains("router: router.json") && mlmodel.contains("model_uuid: abc"), "\(mlmodel)")
        // And the server's whole load takes it, the example scored.
        #expect(try RouterModel.load(directory).pairs == ["P1__X", "P2__Y"])
    }

    @Test func aVersionWithoutItsManifestIsRefusedNamingIt() throws {
        let root = Fixture.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root)
        _ = try Self.write(store)
        let directory = store.versionDirectory("router", 1)
        try FileManager.default.removeItem(atPath: directory + "/router.json")
        let error = #expect(throws: ModelFormatError.self) { try RouterVersion(directory: directory) }
        #expect("\(error!)" == "\(directory)/router.json: missing or unreadable", "\(error!)")
    }

    @Test func aManifestOfAnotherVersionIsRefusedNamingIt() throws {
        let root = Fixture.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root)
        _ = try Self.write(store) { $0 + 4 }
        let directory = store.versionDirectory("router", 1)
        let error = #expect(throws: ModelFormatError.self) { try RouterVersion(directory: directory) }
        #expect(
            "\(error!)" == "\(directory)/router.json: says version 5 but lies in version folder 1", "\(error!)")
    }

    /// The bytes given must be the members router.json names: a version is never written lacking one.
    @Test func membersMustBeTheOnesTheManifestNames() throws {
        let root = Fixture.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ModelStore(root: root)
        let error = #expect(throws: ModelFormatError.self) {
            try store.addVersion("router") { directory, version in
                try RouterVersion.write(
                    manifest: Fixture.manifest(version: version, pairs: ["P1__X", "P2__Y"]),
                    members: [(RouterVersion.memberFile(pair: "P1__X"), [1, 2, 3])], exampleRows: nil,
                    mlmodelUUID: "abc", createdAt: Date(), into: directory)
            }
        }
        #expect("\(error!)".contains("router.json: names the member files"), "\(error!)")
        #expect(store.versions("router").isEmpty)
    }
}
