import CLISupport
import ArgumentParser
import Foundation
import MarketData
import ModelFormat
import Scoring
import Training
import Basics
import DevTools

/// Hidden: where the time of a large /invocations goes (decode, score, encode), release build.
struct BenchRequest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-request", abstract: "Time decoding, scoring and encoding one large request.",
        shouldDisplay: false)
    @OptionGroup var location: LocationOptions
    @Option(name: [.short, .customLong("model-uri")]) var modelURI: String
    @Option(transform: NumberRule.whole(1...1_000_000).parse) var rows: Int = 1000
    @Option(transform: NumberRule.whole(1...1_000_000).parse) var repeats: Int = 50

    func run() throws {
        let directory = try ModelStore(root: location.locations.modelsDirectory).resolve(modelURI).directory
        let router = try RouterModel(directory: directory)
        // Rows like a client sends: every member's pair, features printed in shortest round-trip form.
        var generator = SystemRandomNumberGenerator()
        let columns = ["pair"] + router.manifest.featureColumns
        let lines = (0..<rows).map { index -> String in
            let values = router.manifest.featureColumns.map { _ in "\(Double.random(in: -3...3, using: &generator))" }
            return "[\"\(router.pairs[index % router.pairs.count])\"," + values.joined(separator: ",") + "]"
        }
        let body = Data(
            (#"{"dataframe_split":{"columns":["# + columns.map { "\"\($0)\"" }.joined(separator: ",") + #"],"data":["#
                + lines.joined(separator: ",") + "]}}").utf8)
        let bytes = [UInt8](body)
        func median(_ work: () throws -> Void) rethrows -> Double {
            var times: [Double] = []
            for _ in 0..<repeats {
                let start = DispatchTime.now().uptimeNanoseconds
                try work()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000 / Double(rows))
            }
            return times.sorted()[times.count / 2]
        }
        let frame = try RequestDecoder.decode(bytes, contentType: "application/json")
        let scored = try router.scoreColumns(frame)
        let decode = try median { _ = try RequestDecoder.decode(bytes, contentType: "application/json") }
        let score = try median { _ = try router.scoreColumns(frame) }
        let encode = median { _ = router.responseBody(scored) }
        let whole = try median { _ = try router.invoke(body: bytes, contentType: "application/json") }
        print(
            String(
                format: "µs per row (%d rows, %d bytes): decode %.2f, score %.2f, encode %.2f, invoke %.2f", rows,
                bytes.count, decode, score, encode, whole))
        // The same rows as CSV (pandas' to_csv layout): the whole path, against the JSON one.
        let csv = Array(
            (columns.joined(separator: ",") + "\n"
                + lines.map { line in
                    String(line.dropFirst().dropLast()).replacingOccurrences(of: "\"", with: "")
                }.joined(separator: "\n") + "\n").utf8)
        let csvWhole = try median { _ = try router.invoke(body: csv, contentType: "text/csv") }
        print(
            String(
                format: "CSV, the same rows (%d bytes): invoke %.2f µs per row = %.2fx dataframe_split (target <= 2x)",
                csv.count, csvWhole, csvWhole / whole))
    }
}
