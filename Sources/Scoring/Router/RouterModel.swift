import Foundation
import ModelFormat
import Basics

/// A router version loaded eagerly: every member parsed and compiled at load, so the first request
/// costs what any other does. Rows are dispatched by their `pair` to that pair's member; the
/// member's calibration and threshold turn its probability into a signal.
public final class RouterModel: Sendable {
    struct Member: Sendable {
        let model: CompiledMember
        let calibration: Calibration
        let entry: RouterManifest.Member
        /// The bytes of its answers around the probability: `{"model_version":…,"pair":…,"proba":`
        /// and `,"threshold":…}`, the same for every row it scores.
        let answerHead: [UInt8]
        let answerTail: [UInt8]

        init(model: CompiledMember, entry: RouterManifest.Member, version: Int) {
            self.model = model
            calibration = entry.calibration
            self.entry = entry
            var head = Array(#"{"model_version":"#.utf8)
            head += String(version).utf8
            head += #","pair":"#.utf8
            head += ProjectJSON.quoted(entry.pair).utf8
            head += #","proba":"#.utf8
            answerHead = head
            answerTail = Array(#","threshold":\#(RouterModel.jsonNumber(entry.threshold))}"#.utf8)
        }
    }

    public let manifest: RouterManifest
    public let directory: String
    /// In the manifest's order; a row's member is its index here.
    let members: [Member]
    /// A pair's member, for rows read as Strings (the general decoder, the Open Inference Protocol).
    let memberIndex: [String: Int]
    let reading: RowReading
    let zColumn: Int

    /// Loads `directory` (a version directory): MLmodel, router.json, every member. Any problem
    /// names the file; nothing partially loaded is returned.
    public init(directory: String) throws {
        self.directory = directory
        // Every file it reads lies inside the version folder, links followed (`RouterVersion`).
        try MLmodelFile.validate(path: try RouterVersion.confinedPath(RouterVersion.mlmodelFile, in: directory))
        let version = try RouterVersion(directory: directory)
        let manifest = version.manifest, manifestPath = version.manifestPath
        // The feature windows are the model's: a version without them, or whose lag columns disagree
        // with them, would be served features other than the ones it was trained on.
        let parameters = manifest.featureParameters
        let lagColumns = manifest.featureColumns.filter { $0.contains("_lag") }.count
        guard parameters.betaWindow >= 10, parameters.zWindow >= 10, lagColumns == 2 * parameters.lagFeatures else {
            throw ModelFormatError.invalidModel(
                file: manifestPath,
                problem:
                    "feature parameters (β window \(parameters.betaWindow), z window \(parameters.zWindow), \(parameters.lagFeatures) lags) do not match its \(lagColumns) lag columns"
            )
        }
        guard let zColumn = manifest.featureColumns.firstIndex(of: "z") else {
            throw ModelFormatError.invalidModel(
                file: manifestPath, problem: "feature columns lack z, which the signal direction needs")
        }
        var members: [Member] = [], memberIndex: [String: Int] = [:]
        for member in manifest.members {
            let path = try version.memberPath(member)
            guard let bytes = FileManager.default.contents(atPath: path) else {
                throw ModelFormatError.invalidModel(file: path, problem: "missing or unreadable")
            }
            let model = try ONNXMember.parse([UInt8](bytes), file: path)
            guard model.featureCount == manifest.featureColumns.count else {
                throw ModelFormatError.invalidModel(
                    file: path,
                    problem: "expects \(model.featureCount) features, the router has \(manifest.featureColumns.count)")
            }
            guard member.calibration.isMonotoneIncreasing else {
                throw ModelFormatError.invalidModel(
                    file: manifestPath,
                    problem: "member \(member.pair)'s calibration decreases: it would invert the model's ranking")
            }
            guard memberIndex[member.pair] == nil else {
                throw ModelFormatError.invalidModel(file: manifestPath, problem: "pair \(member.pair) has two members")
            }
            memberIndex[member.pair] = members.count
            members.append(Member(model: CompiledMember(model), entry: member, version: manifest.version))
        }
        self.manifest = manifest
        self.members = members
        self.memberIndex = memberIndex
        reading = RowReading(featureColumns: manifest.featureColumns, pairs: manifest.members.map(\.pair))
        self.zColumn = zColumn
    }

    public var pairs: [String] { manifest.members.map(\.pair) }

    /// Scores a frame: each row needs `pair` and every feature column (by name, any order; extra
    /// columns are ignored; null becomes NaN, numeric strings are converted).
    public func score(_ frame: InputFrame) throws -> [Prediction] { predictions(try scoreColumns(frame)) }

    public func scoreColumns(_ frame: InputFrame) throws -> PredictionColumns {
        guard let pairColumn = frame.columns.firstIndex(of: "pair") else {
            throw ScoringError.invalidParameter(
                "Model is missing inputs ['pair'].", errorClass: "SCHEMA_ENFORCEMENT_FAILED", sqlState: "KAM01")
        }
        let indices = manifest.featureColumns.map { frame.columns.firstIndex(of: $0) }
        let missing = zip(manifest.featureColumns, indices).filter { $0.1 == nil }.map { "'\($0.0)'" }
        guard missing.isEmpty else {
            throw ScoringError.invalidParameter(
                "Model is missing inputs [\(missing.joined(separator: ", "))].",
                errorClass: "SCHEMA_ENFORCEMENT_FAILED", sqlState: "KAM01")
        }
        let width = manifest.featureColumns.count
        var values = [Float](repeating: 0, count: frame.rows.count * width)
        var rowMembers: [Int32] = []
        rowMembers.reserveCapacity(frame.rows.count)
        for (rowIndex, row) in frame.rows.enumerated() {
            guard case let .string(pair) = row[pairColumn] else {
                throw ScoringError.badRequest(
                    "Invalid input. Row \(rowIndex): column pair must be a pair id such as A__B.")
            }
            guard let member = memberIndex[pair] else {
                throw ScoringError.badRequest(
                    "Invalid input. Row \(rowIndex): unknown pair '\(pair)'; this router serves \(pairs.joined(separator: ", "))."
                )
            }
            rowMembers.append(Int32(member))
            for (slot, column) in indices.enumerated() {
                let value: Double
                switch row[column!] {
                case let .number(number): value = number
                case .missing: value = .nan
                case let .string(text):
                    guard let number = Double(text) else {
                        throw ScoringError.badRequest(
                            "Invalid input. Data is not compatible with model signature. Failed to convert column \(manifest.featureColumns[slot]) to type 'float64'. Error: '\(text)' (row \(rowIndex), pair \(pair))"
                        )
                    }
                    value = number
                }
                values[rowIndex * width + slot] = Float(value)
            }
        }
        return try finite(score(members: rowMembers, values: values), ScoringError.badRequest)
    }

    /// `columns` when every probability is a number; else the first row that has none (a feature
    /// at ±Inf through a logistic member), refused as `refusal` says: an answer holds only JSON
    /// numbers, never a bare NaN.
    func finite<E: Error>(_ columns: PredictionColumns, _ refusal: (String) -> E) throws -> PredictionColumns {
        guard let row = columns.probabilities.firstIndex(where: { !$0.isFinite }) else { return columns }
        throw refusal(
            "Invalid input. Row \(row) (pair \(members[Int(columns.members[row])].entry.pair)): its features give no probability; a feature is ±Inf or out of the range the model takes."
        )
    }

    /// Scores rows already in feature order (`values` row-major), each row's member given.
    func score(members rowMembers: [Int32], values: [Float]) -> PredictionColumns {
        let width = manifest.featureColumns.count
        let count = rowMembers.count
        var probabilities = [Double](repeating: 0, count: count)
        if let first = rowMembers.first, rowMembers.allSatisfy({ $0 == first }) {
            // One member (one row, or a batch of one pair): scored where the rows lie.
            let member = members[Int(first)]
            values.withUnsafeBufferPointer { input in
                probabilities.withUnsafeMutableBufferPointer {
                    member.model.probabilities(input, rows: count, into: $0)
                }
            }
            for row in 0..<count { probabilities[row] = member.calibration.apply(probabilities[row]) }
        } else {
            // Rows grouped by member, so that each member scores its rows as one batch.
            var rowsByMember = [[Int]](repeating: [], count: members.count)
            for (row, member) in rowMembers.enumerated() { rowsByMember[Int(member)].append(row) }
            for (index, rows) in rowsByMember.enumerated() where !rows.isEmpty {
                let member = members[index]
                var batch = [Float](repeating: 0, count: rows.count * width)
                for (slot, row) in rows.enumerated() {
                    for column in 0..<width { batch[slot * width + column] = values[row * width + column] }
                }
                var output = [Double](repeating: 0, count: rows.count)
                batch.withUnsafeBufferPointer { input in
                    output.withUnsafeMutableBufferPointer {
                        member.model.probabilities(input, rows: rows.count, into: $0)
                    }
                }
                for (slot, row) in rows.enumerated() { probabilities[row] = member.calibration.apply(output[slot]) }
            }
        }
        // Through the buffer: a member read out of the array is a copy of all it holds, retained and released per row.
        let signals = members.withUnsafeBufferPointer { members in
            (0..<count).map { row in
                members[Int(rowMembers[row])].entry.signal(
                    proba: probabilities[row], z: Double(values[row * width + zColumn]))
            }
        }
        return PredictionColumns(members: rowMembers, probabilities: probabilities, signals: signals)
    }

    /// One `Prediction` a row.
    func predictions(_ columns: PredictionColumns) -> [Prediction] {
        (0..<columns.count).map { row in
            let member = members[Int(columns.members[row])]
            return Prediction(
                pair: member.entry.pair, proba: columns.probabilities[row], signal: columns.signals[row],
                threshold: member.entry.threshold, modelVersion: manifest.version)
        }
    }

    /// `{"predictions": [...]}` (`Prediction.Answer`), as /invocations answers, written straight
    /// into bytes from each member's fixed parts (`Member.answerHead`, `answerTail`): Foundation's
    /// serializer, or even building Strings, costs more than scoring; a test holds it equal to the
    /// Codable type. Doubles print in shortest round-trip form.
    public func responseBody(_ columns: PredictionColumns) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 + columns.count * 120)
        out += #"{"predictions":["#.utf8
        members.withUnsafeBufferPointer { members in
            for row in 0..<columns.count {
                if row > 0 { out.append(UInt8(ascii: ",")) }
                let member = Int(columns.members[row])
                out += members[member].answerHead
                out += Self.jsonNumber(columns.probabilities[row]).utf8
                out += #","signal":"#.utf8
                Self.appendInteger(columns.signals[row], to: &out)
                out += members[member].answerTail
            }
        }
        out += "]}".utf8
        return out
    }

    static func appendInteger(_ value: Int, to out: inout [UInt8]) {
        if value >= 0 && value < 10 {
            out.append(UInt8(48 + value))
        } else {
            out += String(value).utf8
        }
    }

    /// MLflow writes non-finite numbers as the bare tokens NaN / Infinity; so do we.
    static func jsonNumber(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        return "\(value)"
    }
}

extension RouterModel {
    /// The server's whole load: every member parsed and compiled, then, with `warmup`, the version's
    /// `input_example.json` scored through the request path. Commands that write versions or move
    /// aliases run the same check (`ModelStore(root:verify:)`).
    public static let verifier: @Sendable (_ directory: String) throws -> Void = { _ = try load($0) }

    public static func load(_ directory: String, warmup: Bool = true) throws -> RouterModel {
        let router = try RouterModel(directory: directory)
        if warmup, let body = try RouterVersion.example(in: directory) {
            _ = try router.invoke(body: [UInt8](body), contentType: "application/json")
        }
        return router
    }

    /// The whole /invocations path, shared by the server and `mntrading models predict`: decode the
    /// body, score it, encode `{"predictions": …}`.
    public func invoke(body: [UInt8], contentType: String) throws -> [UInt8] {
        try invoke(body: BodyBytes(body), contentType: contentType).body
    }

    /// The answer's bytes and the number of rows it scored.
    public func invoke(body: BodyBytes, contentType: String) throws -> (body: [UInt8], rows: Int) {
        let columns = try predictionColumns(body: body, contentType: contentType)
        return (responseBody(columns), columns.count)
    }

    /// Decodes and scores a body. The plain `dataframe_split` JSON and the plain CSV every client
    /// sends are parsed straight into the feature matrix; anything else, including every malformed
    /// body, goes through the general decoder, which gives the protocol's answers and errors.
    public func predictions(body: [UInt8], contentType: String) throws -> [Prediction] {
        try predictions(body: BodyBytes(body), contentType: contentType)
    }

    public func predictions(body: BodyBytes, contentType: String) throws -> [Prediction] {
        predictions(try predictionColumns(body: body, contentType: contentType))
    }

    func predictionColumns(body: BodyBytes, contentType: String) throws -> PredictionColumns {
        let rows: SplitRows?
        switch RequestDecoder.mediaType(contentType) {
        case "application/json": rows = FastJSONParser.plainDataframeSplit(body, reading: reading)
        case "text/csv": rows = FastJSONParser.plainCSV(body, reading: reading)
        default: rows = nil
        }
        if let rows { return try finite(score(members: rows.members, values: rows.values), ScoringError.badRequest) }
        return try scoreColumns(try RequestDecoder.decode(body, contentType: contentType))
    }
}

extension RouterModel {
    /// Scores an Open Inference Protocol request, whose rows are already in feature order.
    public func predictions(_ request: InferenceRequest) throws -> [Prediction] {
        let rowMembers = try request.pairs.enumerated().map { row, pair in
            guard let member = memberIndex[pair] else {
                throw InferenceProtocolError(
                    "row \(row): unknown pair '\(pair)'; this router serves \(pairs.joined(separator: ", "))")
            }
            return Int32(member)
        }
        return predictions(
            try finite(score(members: rowMembers, values: request.values)) { InferenceProtocolError($0) })
    }
}

/// A request's predictions, a column each: what a response is written from without a `Prediction`
/// (and its pair's String) per row.
public struct PredictionColumns: Sendable {
    /// Each row's member (its index in `RouterModel.members`).
    var members: [Int32]
    var probabilities: [Double]
    var signals: [Int]

    public var count: Int { members.count }
}
