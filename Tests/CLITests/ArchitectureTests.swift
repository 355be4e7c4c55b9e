import Foundation
import Testing

/// ARCHITECTURE.md's module table names exactly the targets of Package.swift, so the map a newcomer
/// reads cannot fall behind the code.
struct ArchitectureTests {
    static func targets(in package: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: #"\.(target|executableTarget|systemLibrary)\(name: "([^"]+)""#)
        let range = NSRange(package.startIndex..., in: package)
        return Set(pattern.matches(in: package, range: range).map { String(package[Range($0.range(at: 2), in: package)!]) })
    }

    static func tableModules(in architecture: String) -> Set<String> {
        let table = architecture.components(separatedBy: "<!-- modules:")[1].components(separatedBy: "\n## ")[0]
        return Set(table.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            return line.dropFirst(3).split(separator: "`").first.map(String.init)
        })
    }

    @Test func theModuleTableMatchesThePackage() throws {
        let package = try String(contentsOfFile: CLI.repositoryRoot + "/Package.swift", encoding: .utf8)
        let architecture = try String(contentsOfFile: CLI.repositoryRoot + "/ARCHITECTURE.md", encoding: .utf8)
        let targets = Self.targets(in: package), documented = Self.tableModules(in: architecture)
        #expect(targets.count >= 15, "\(targets)")
        #expect(targets.subtracting(documented).isEmpty, "targets missing from ARCHITECTURE.md: \(targets.subtracting(documented).sorted())")
        #expect(documented.subtracting(targets).isEmpty, "ARCHITECTURE.md names modules Package.swift lacks: \(documented.subtracting(targets).sorted())")
        // Every source file it points at exists.
        let paths = try NSRegularExpression(pattern: #"`((?:Sources/)?[A-Za-z-]+/[A-Za-z]+\.swift)`"#)
        for match in paths.matches(in: architecture, range: NSRange(architecture.startIndex..., in: architecture)) {
            let path = String(architecture[Range(match.range(at: 1), in: architecture)!])
            let full = CLI.repositoryRoot + "/" + (path.hasPrefix("Sources/") ? path : "Sources/" + path)
            #expect(FileManager.default.fileExists(atPath: full), "ARCHITECTURE.md points at \(path), which does not exist")
        }
    }
}
