import Foundation

/// An Open Inference Protocol (V2) inference request, decoded into a router's rows: the `pair`
/// of every row and its features in the model's column order. Two input layouts are accepted:
/// - a BYTES `pair` tensor `[N]` and one numeric `features` tensor `[N, F]` in the feature order
///   (what Triton's and KServe's clients send);
/// - a BYTES `pair` tensor and one numeric tensor `[N]` per feature column, named after it (what
///   MLServer's pandas codec sends, `parameters.content_type: "pd"`).
/// Tensor data may be JSON (flat or nested, row-major) or, with the binary tensor data extension,
/// raw little-endian bytes after the JSON header (`Inference-Header-Content-Length`).
public struct InferenceRequest: Sendable, Equatable {
    /// An output the client asked for; `binary` nil means the request's default.
    public struct RequestedOutput: Sendable, Equatable {
        public var name: String
        public var binary: Bool?
    }

    public var id: String?
    public var pairs: [String]
    /// Row-major, one slot per feature column.
    public var values: [Float]
    /// nil: every output.
    public var outputs: [RequestedOutput]?
    /// The request's `binary_data_output`: outputs come as binary unless an output says otherwise.
    public var binaryOutputs: Bool

    /// The numeric datatypes a feature tensor may have, by their size in binary form.
    static let numericSizes = ["FP32": 4, "FP64": 8, "INT32": 4, "INT64": 8]

    /// Decodes `body`; `headerLength` is the `Inference-Header-Content-Length` header when the
    /// request carries binary tensor data after its JSON.
    public static func decode(_ body: BodyBytes, headerLength: Int?, featureColumns: [String]) throws
        -> InferenceRequest
    {
        let jsonEnd = headerLength ?? body.count
        guard jsonEnd >= 0, jsonEnd <= body.count else {
            throw InferenceProtocolError(
                "Inference-Header-Content-Length \(jsonEnd) is outside the body of \(body.count) bytes")
        }
        // Without binary data the JSON is the whole body, read in place; with it, the JSON header
        // alone is copied to be terminated.
        var parser = FastJSONParser(
            bytes: jsonEnd == body.count ? body.terminated : Array(body.terminated[0..<jsonEnd]) + [0])
        var header: Header
        do { header = try parser.inferenceHeader() } catch let error as FastJSONParser.SyntaxError {
            throw InferenceProtocolError("malformed JSON in the inference request: \(error)")
        }
        try attachBinaryData(
            &header.inputs, tail: body.terminated[jsonEnd..<body.count], binaryExpected: headerLength != nil)
        return try rows(header, featureColumns: featureColumns)
    }

    // MARK: - The JSON header

    struct Tensor {
        var name: String?
        var datatype: String?
        var shape: [Int]?
        var binarySize: Int?
        var numbers: [Float] = []
        var strings: [String] = []
        var booleans = 0
        var hasData = false

        var count: Int { numbers.count + strings.count + booleans }
    }

    struct Header {
        var id: String?
        var inputs: [Tensor] = []
        var outputs: [RequestedOutput]?
        var binaryOutputs = false
    }

    /// The binary tensors, in the order of their inputs, exactly filling what follows the JSON.
    static func attachBinaryData(_ inputs: inout [Tensor], tail: ArraySlice<UInt8>, binaryExpected: Bool) throws {
        var offset = tail.startIndex
        for index in inputs.indices {
            guard let size = inputs[index].binarySize else { continue }
            let name = inputs[index].name ?? "?"
            guard binaryExpected else {
                throw InferenceProtocolError(
                    "input '\(name)' has binary_data_size but the request has no Inference-Header-Content-Length header"
                )
            }
            guard !inputs[index].hasData else {
                throw InferenceProtocolError("input '\(name)' has both data and binary_data_size")
            }
            guard size >= 0, size <= tail.endIndex - offset else {
                throw InferenceProtocolError(
                    "input '\(name)' declares \(size) bytes of binary data; \(tail.endIndex - offset) remain in the body"
                )
            }
            try decodeBinary(tail[offset..<offset + size], into: &inputs[index])
            offset += size
        }
        guard offset == tail.endIndex else {
            throw InferenceProtocolError(
                "\(tail.endIndex - offset) bytes after the JSON header belong to no input's binary_data_size")
        }
    }

    static func decodeBinary(_ bytes: ArraySlice<UInt8>, into tensor: inout Tensor) throws {
        let name = tensor.name ?? "?"
        tensor.hasData = true
        func little<T: FixedWidthInteger>(_ type: T.Type, at position: Int) -> T {
            var value: T = 0
            for byte in 0..<MemoryLayout<T>.size {
                value |= T(truncatingIfNeeded: bytes[position + byte]) << (8 * byte)
            }
            return value
        }
        switch tensor.datatype {
        case "BYTES":
            var position = bytes.startIndex
            while position < bytes.endIndex {
                guard bytes.endIndex - position >= 4 else {
                    throw InferenceProtocolError("input '\(name)': binary BYTES data ends inside an element's length")
                }
                let length = Int(little(UInt32.self, at: position))
                position += 4
                guard bytes.endIndex - position >= length else {
                    throw InferenceProtocolError("input '\(name)': a binary BYTES element runs past its data")
                }
                guard let text = String(validating: bytes[position..<position + length], as: UTF8.self) else {
                    throw InferenceProtocolError("input '\(name)': a BYTES element is not UTF-8")
                }
                tensor.strings.append(text)
                position += length
            }
        case let datatype?:
            guard let size = numericSizes[datatype] else { throw unsupported(datatype, name) }
            guard bytes.count % size == 0 else {
                throw InferenceProtocolError(
                    "input '\(name)': \(bytes.count) bytes of binary data are not a whole number of \(datatype) values")
            }
            tensor.numbers.reserveCapacity(bytes.count / size)
            for position in stride(from: bytes.startIndex, to: bytes.endIndex, by: size) {
                switch datatype {
                case "FP32": tensor.numbers.append(Float(bitPattern: little(UInt32.self, at: position)))
                case "FP64": tensor.numbers.append(Float(Double(bitPattern: little(UInt64.self, at: position))))
                case "INT32": tensor.numbers.append(Float(Int32(bitPattern: little(UInt32.self, at: position))))
                default: tensor.numbers.append(Float(Int64(bitPattern: little(UInt64.self, at: position))))
                }
            }
        case nil:
            throw InferenceProtocolError("input '\(name)' has no datatype")
        }
    }

    static func unsupported(_ datatype: String, _ name: String) -> InferenceProtocolError {
        InferenceProtocolError(
            "input '\(name)' has datatype \(datatype); features take FP32, FP64, INT32 or INT64 and pair takes BYTES")
    }

    // MARK: - Rows

    static func rows(_ header: Header, featureColumns: [String]) throws -> InferenceRequest {
        var byName: [String: Tensor] = [:]
        for tensor in header.inputs {
            guard let name = tensor.name else { throw InferenceProtocolError("an input has no name") }
            guard byName[name] == nil else { throw InferenceProtocolError("input '\(name)' is given twice") }
            try check(tensor, name: name)
            byName[name] = tensor
        }
        guard let pair = byName["pair"] else {
            throw InferenceProtocolError("missing input 'pair' (BYTES, one pair id such as A__B per row)")
        }
        guard pair.datatype == "BYTES" else {
            throw InferenceProtocolError(
                "input 'pair' has datatype \(pair.datatype ?? "none"); it takes BYTES (pair ids such as A__B)")
        }
        let rowCount = pair.strings.count
        try checkColumnShape(pair, name: "pair", rows: rowCount)
        let width = featureColumns.count
        var values: [Float]
        if let features = byName["features"] {
            guard numericSizes[features.datatype ?? ""] != nil, features.strings.isEmpty else {
                throw unsupported(features.datatype ?? "none", "features")
            }
            guard let shape = features.shape, shape.count == 2, shape[0] == rowCount, shape[1] == width else {
                throw InferenceProtocolError(
                    "input 'features' has shape \(features.shape ?? []); with \(rowCount) pairs it must be [\(rowCount), \(width)], the columns \(featureColumns.joined(separator: ", "))"
                )
            }
            values = features.numbers
        } else {
            let missing = featureColumns.filter { byName[$0] == nil }
            guard missing.isEmpty else {
                throw InferenceProtocolError(
                    "missing inputs: \(missing.map { "'\($0)'" }.joined(separator: ", ")) (give them one tensor each, or all as 'features' [N, \(width)])"
                )
            }
            values = [Float](repeating: 0, count: rowCount * width)
            for (slot, column) in featureColumns.enumerated() {
                let tensor = byName[column]!
                guard numericSizes[tensor.datatype ?? ""] != nil, tensor.strings.isEmpty else {
                    throw unsupported(tensor.datatype ?? "none", column)
                }
                try checkColumnShape(tensor, name: column, rows: rowCount)
                for row in 0..<rowCount { values[row * width + slot] = tensor.numbers[row] }
            }
        }
        return InferenceRequest(
            id: header.id, pairs: pair.strings, values: values, outputs: header.outputs,
            binaryOutputs: header.binaryOutputs)
    }

    /// Datatype, data and shape agree.
    static func check(_ tensor: Tensor, name: String) throws {
        guard let datatype = tensor.datatype else { throw InferenceProtocolError("input '\(name)' has no datatype") }
        guard let shape = tensor.shape else { throw InferenceProtocolError("input '\(name)' has no shape") }
        guard tensor.hasData else { throw InferenceProtocolError("input '\(name)' has no data") }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw InferenceProtocolError("input '\(name)' has shape \(shape); dimensions cannot be negative")
        }
        guard datatype == "BYTES" || numericSizes[datatype] != nil else { throw unsupported(datatype, name) }
        if datatype == "BYTES" {
            guard tensor.numbers.isEmpty, tensor.booleans == 0 else {
                throw InferenceProtocolError("input '\(name)' is BYTES but its data holds numbers")
            }
        } else {
            guard tensor.strings.isEmpty, tensor.booleans == 0 else {
                throw InferenceProtocolError(
                    "input '\(name)' is \(datatype) but its data holds \(tensor.booleans > 0 ? "booleans" : "strings")")
            }
        }
        // An integer tensor holds integers its type can hold (JSON data can say 1.5 or 1e30).
        if let limit = ["INT32": Float(Int32.max), "INT64": Float(Int64.max)][datatype],
            let bad = tensor.numbers.first(where: { !($0 == $0.rounded() && abs($0) <= limit) })
        {
            throw InferenceProtocolError(
                "input '\(name)' is \(datatype) but its data holds \(bad), which is not a \(datatype) value")
        }
        let elements = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard elements == tensor.count else {
            throw InferenceProtocolError(
                "input '\(name)' has shape \(shape), \(elements) values, but its data holds \(tensor.count)")
        }
    }

    /// One value per row: `[N]` or `[N, 1]`.
    static func checkColumnShape(_ tensor: Tensor, name: String, rows: Int) throws {
        guard let shape = tensor.shape, shape == [rows] || shape == [rows, 1] else {
            throw InferenceProtocolError(
                "input '\(name)' has shape \(tensor.shape ?? []); it must be [\(rows)] or [\(rows), 1], one value per row"
            )
        }
    }
}

extension FastJSONParser {
    /// The request's JSON object. Unknown keys are read and left alone, as the protocol's
    /// extensions add their own.
    mutating func inferenceHeader() throws -> InferenceRequest.Header {
        var header = InferenceRequest.Header()
        var sawInputs = false
        skipWhitespace()
        try objectMembers { parser, key in
            switch key {
            case "id":
                guard case let .string(id) = try parser.value() else {
                    throw InferenceProtocolError("'id' must be a string")
                }
                header.id = id
            case "inputs":
                sawInputs = true
                try parser.arrayItems { parser in header.inputs.append(try parser.inferenceTensor()) }
            case "outputs":
                var outputs: [InferenceRequest.RequestedOutput] = []
                try parser.arrayItems { parser in
                    guard case let .object(members) = try parser.value(),
                        case let .string(name)? = JSONValue.object(members)["name"]
                    else {
                        throw InferenceProtocolError("each requested output needs a name")
                    }
                    var binary: Bool?
                    if case let .bool(flag)? = JSONValue.object(members)["parameters"]?["binary_data"] { binary = flag }
                    outputs.append(.init(name: name, binary: binary))
                }
                header.outputs = outputs
            case "parameters":
                let parameters = try parser.value()
                guard case .object = parameters else { throw InferenceProtocolError("'parameters' must be an object") }
                if case let .bool(flag)? = parameters["binary_data_output"] { header.binaryOutputs = flag }
            default:
                _ = try parser.value()
            }
        }
        skipWhitespace()
        guard index == bytes.count - 1 else { throw error("trailing characters") }
        guard sawInputs else { throw InferenceProtocolError("the request has no 'inputs'") }
        return header
    }

    mutating func inferenceTensor() throws -> InferenceRequest.Tensor {
        var tensor = InferenceRequest.Tensor()
        try objectMembers { parser, key in
            switch key {
            case "name":
                guard case let .string(name) = try parser.value() else {
                    throw InferenceProtocolError("an input's name must be a string")
                }
                tensor.name = name
            case "datatype":
                guard case let .string(datatype) = try parser.value() else {
                    throw InferenceProtocolError("an input's datatype must be a string")
                }
                tensor.datatype = datatype
            case "shape":
                guard case let .array(items) = try parser.value() else {
                    throw InferenceProtocolError("an input's shape must be an array of integers")
                }
                tensor.shape = try items.map { item in
                    guard case let .number(number) = item, number == number.rounded(), abs(number) < 1e15 else {
                        throw InferenceProtocolError("an input's shape must be an array of integers")
                    }
                    return Int(number)
                }
            case "parameters":
                let parameters = try parser.value()
                if let size = parameters["binary_data_size"] {
                    guard case let .number(number) = size, number == number.rounded(), number >= 0, number < 1e15 else {
                        throw InferenceProtocolError("binary_data_size must be a non-negative integer")
                    }
                    tensor.binarySize = Int(number)
                }
            case "data":
                tensor.hasData = true
                try parser.tensorData(into: &tensor)
            default:
                _ = try parser.value()
            }
        }
        return tensor
    }

    /// Flattens nested arrays into the tensor's values, row-major: numbers straight to Float (as
    /// `Float(strtod(text))`, like the /invocations reader), null and NaN as missing.
    mutating func tensorData(into tensor: inout InferenceRequest.Tensor) throws {
        skipWhitespace()
        switch current {
        case UInt8(ascii: "["):
            try arrayItems { parser in try parser.tensorData(into: &tensor) }
        case UInt8(ascii: "\""):
            tensor.strings.append(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if current == UInt8(ascii: "-"), bytes[index + 1] == UInt8(ascii: "I"), literal("-Infinity") {
                tensor.numbers.append(-.infinity)
            } else {
                tensor.numbers.append(try float())
            }
        case UInt8(ascii: "n") where literal("null"): tensor.numbers.append(.nan)
        case UInt8(ascii: "N") where literal("NaN"): tensor.numbers.append(.nan)
        case UInt8(ascii: "I") where literal("Infinity"): tensor.numbers.append(.infinity)
        case UInt8(ascii: "t") where literal("true"): tensor.booleans += 1
        case UInt8(ascii: "f") where literal("false"): tensor.booleans += 1
        default:
            throw error("unexpected character in tensor data")
        }
    }
}
