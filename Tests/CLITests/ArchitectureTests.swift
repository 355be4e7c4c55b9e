import Foundation
import Testing

/// ARCHITECTURE.md's module table names exactly the targets of Package.swift, so the map a newcomer
/// reads cannot fall behind the code.
struct ArchitectureTests {
    static func targets(in package: String) -> Set<String> {
        let pattern = try! NSRegularExpression(
            pattern: #"\.(target|executableTarget|systemLibrary)\(\s*name: "([^"]+)""#)
        let range = NSRange(package.startIndex..., in: package)
        return Set(
            pattern.matches(in: package, range: range).map { String(package[Range($0.range(at: 2), in: package)!]) })
    }

    static func tableModules(in architecture: String) -> Set<String> {
        let table = architecture.components(separatedBy: "<!-- modules:")[1].components(separatedBy: "\n## ")[0]
        return Set(
            table.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("| `") else { return nil }
                return line.dropFirst(3).split(separator: "`").first.map(String.init)
            })
    }

    @Test func theModuleTableMatchesThePackage() throws {
        let package = try String(contentsOfFile: CLI.repositoryRoot + "/Package.swift", encoding: .utf8)
        let architecture = try String(contentsOfFile: CLI.repositoryRoot + "/ARCHITECTURE.md", encoding: .utf8)
        let targets = Self.targets(in: package), documented = Self.tableModules(in: architecture)
        #expect(targets.count >= 15, "\(targets)")
        #expect(
            targets.subtracting(documented).isEmpty,
            "targets missing from ARCHITECTURE.md: \(targets.subtracting(documented).sorted())")
        #expect(
            documented.subtracting(targets).isEmpty,
            "ARCHITECTURE.md names modules Package.swift lacks: \(documented.subtracting(targets).sorted())")
        // Every source file it points at exists.
        let paths = try NSRegularExpression(pattern: #"`((?:Sources/)?[A-Za-z-]+(?:/[A-Za-z]+)*/[A-Za-z]+\.swift)`"#)
        for match in paths.matches(in: architecture, range: NSRange(architecture.startIndex..., in: architecture)) {
            let path = String(architecture[Range(match.range(at: 1), in: architecture)!])
            let full = CLI.repositoryRoot + "/" + (path.hasPrefix("Sources/") ? path : "Sources/" + path)
            #expect(
                FileManager.default.fileExists(atPath: full), "ARCHITECTURE.md points at \(path), which does not exist")
        }
    }

    /// `Scoring` is cut by concern into exactly the folders ARCHITECTURE.md names, every file in
    /// one of them, so a new file has to be given its place.
    @Test func scoringsFilesLieInItsThreeFolders() throws {
        let root = CLI.repositoryRoot + "/Sources/Scoring"
        let folders = ["Request", "Router", "Trees"]
        let entries = try FileManager.default.contentsOfDirectory(atPath: root).filter { !$0.hasPrefix(".") }
        #expect(entries.sorted() == folders, "Sources/Scoring holds \(entries.sorted()), not just \(folders)")
        for folder in folders {
            let files = try FileManager.default.contentsOfDirectory(atPath: root + "/" + folder)
                .filter { !$0.hasPrefix(".") }
            #expect(
                !files.isEmpty && files.allSatisfy { $0.hasSuffix(".swift") }, "Scoring/\(folder): \(files.sorted())")
        }
        let architecture = try String(contentsOfFile: CLI.repositoryRoot + "/ARCHITECTURE.md", encoding: .utf8)
        let row = architecture.components(separatedBy: "\n").first { $0.hasPrefix("| `Scoring` |") } ?? ""
        for folder in folders {
            #expect(row.contains("`\(folder)/`"), "ARCHITECTURE.md's Scoring row does not name \(folder)/")
        }
    }

    /// Each target's dependencies among our own targets, as Package.swift lists them.
    static func dependencies(in package: String) -> [String: Set<String>] {
        let pattern = try! NSRegularExpression(
            pattern:
                #"\.(?:target|executableTarget|testTarget)\(\s*name: "([^"]+)"(?:,\s*dependencies: \[(.*?)\n?\s*\])?"#,
            options: [.dotMatchesLineSeparators])
        var result: [String: Set<String>] = [:]
        for match in pattern.matches(in: package, range: NSRange(package.startIndex..., in: package)) {
            let name = String(package[Range(match.range(at: 1), in: package)!])
            let list = Range(match.range(at: 2), in: package).map { String(package[$0]) } ?? ""
            let names = try! NSRegularExpression(
                pattern: #"^\s*"([A-Za-z-]+)"|,\s*"([A-Za-z-]+)"|\[\s*"([A-Za-z-]+)""#, options: [.anchorsMatchLines])
            var own = Set<String>()
            for item in names.matches(in: list, range: NSRange(list.startIndex..., in: list)) {
                for group in 1...3 {
                    if let range = Range(item.range(at: group), in: list) { own.insert(String(list[range])) }
                }
            }
            result[name] = own
        }
        return result
    }

    /// The scoring server links no XGBoost and no training, whatever is added to its modules.
    @Test func theServersImportClosureHasNoTraining() throws {
        let package = try String(contentsOfFile: CLI.repositoryRoot + "/Package.swift", encoding: .utf8)
        let graph = Self.dependencies(in: package)
        var closure = Set<String>(), pending = ["mntrading-serve"]
        while let next = pending.popLast() {
            for dependency in graph[next] ?? [] where closure.insert(dependency).inserted { pending.append(dependency) }
        }
        #expect(closure.contains("ScoringServer") && closure.contains("ModelFormat"), "\(closure.sorted())")
        #expect(
            closure.isDisjoint(with: [
                "CXGBoost", "Training", "TrainingRecords", "Pipeline", "DevTools", "MarketData", "Store", "Tracking"
            ]),
            "mntrading-serve reaches \(closure.sorted())")
        // Exactly these targets of ours (system libraries aside): the registry client (MLflowClient →
        // HTTPClient) serves models:/<name>@<alias> from an MLflow registry (ARCHITECTURE.md).
        let ours = Set(graph.keys)
        #expect(
            closure.intersection(ours) == [
                "ScoringServer", "Scoring", "ScoringKernels", "ModelFormat", "Basics", "MLflowClient", "HTTPClient"
            ],
            "mntrading-serve reaches \(closure.intersection(ours).sorted())")
        var client = Set<String>()
        pending = ["mntrading-infer"]
        while let next = pending.popLast() {
            for dependency in graph[next] ?? [] where client.insert(dependency).inserted { pending.append(dependency) }
        }
        #expect(
            client.isDisjoint(with: ["CXGBoost", "Training", "Pipeline", "DevTools"]),
            "mntrading-infer reaches \(client.sorted())")
    }

    /// Tests mirror modules: each library module has `<Module>Tests`, or ARCHITECTURE.md says which
    /// command-level tests cover it.
    @Test func everyLibraryModuleHasItsTestTarget() throws {
        let package = try String(contentsOfFile: CLI.repositoryRoot + "/Package.swift", encoding: .utf8)
        let architecture = try String(contentsOfFile: CLI.repositoryRoot + "/ARCHITECTURE.md", encoding: .utf8)
        let libraries = try NSRegularExpression(pattern: #"\.target\(\s*name: "([^"]+)""#)
            .matches(in: package, range: NSRange(package.startIndex..., in: package))
            .map { String(package[Range($0.range(at: 1), in: package)!]) }
            .filter { $0 != "TestSupport" }
        let testTargets = try NSRegularExpression(pattern: #"\.testTarget\(\s*name: "([^"]+)""#)
            .matches(in: package, range: NSRange(package.startIndex..., in: package))
            .map { String(package[Range($0.range(at: 1), in: package)!]) }
        let coveredByCommands = architecture.components(separatedBy: "which `CLITests` runs through the programs:")[1]
            .components(separatedBy: "\n\n")[0]
        for library in libraries where !testTargets.contains(library + "Tests") {
            #expect(
                coveredByCommands.contains("`\(library)`"),
                "\(library) has no \(library)Tests and ARCHITECTURE.md does not say what covers it")
            #expect(!FileManager.default.fileExists(atPath: CLI.repositoryRoot + "/Tests/\(library)Tests"))
        }
        for target in testTargets {
            let files = try FileManager.default.contentsOfDirectory(atPath: CLI.repositoryRoot + "/Tests/" + target)
            #expect(files.contains { $0.hasSuffix(".swift") }, "\(target) has no tests")
        }
    }

    /// Every module of ours a file imports is a declared dependency of its target: an incremental
    /// build finds undeclared ones in its cache, a clean clone does not.
    @Test func everyImportIsADeclaredDependency() throws {
        let package = try String(contentsOfFile: CLI.repositoryRoot + "/Package.swift", encoding: .utf8)
        let graph = Self.dependencies(in: package)
        let ours = Self.targets(in: package).union(graph.keys)
        let importPattern = try NSRegularExpression(
            pattern: #"^(?:@testable )?import ([A-Za-z]+)$"#, options: [.anchorsMatchLines])
        for (target, dependencies) in graph {
            let folder =
                package.contains(#"name: "\#(target)""#) && package.contains(#"path: "Tests/\#(target)""#)
                ? "Tests/\(target)" : (target.hasSuffix("Tests") ? "Tests/\(target)" : "Sources/\(target)")
            let directory = CLI.repositoryRoot + "/" + folder
            // Subfolders too: SwiftPM compiles them into the target (`Scoring/Request/`, …).
            guard let files = FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] else {
                continue
            }
            for file in files where file.hasSuffix(".swift") {
                let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
                for match in importPattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let module = String(text[Range(match.range(at: 1), in: text)!])
                    guard ours.contains(module), module != target else { continue }
                    #expect(
                        dependencies.contains(module),
                        "\(folder)/\(file) imports \(module), which \(target) does not list in Package.swift")
                }
            }
        }
    }
}
