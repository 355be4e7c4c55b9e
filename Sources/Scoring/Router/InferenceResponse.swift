import Basics
import Foundation
import ModelFormat

/// The Open Inference Protocol (V2) answers of a router: the inference response, the model's
/// and the server's metadata. Written by hand, like the /invocations answer, because a general
/// serializer costs more than scoring.
public enum InferenceResponse {
    /// The outputs, one value per row each, as MLflow's answer names them.
    public static let outputs: [(name: String, datatype: String)] = [
        ("proba", "FP64"), ("signal", "INT32"), ("threshold", "FP64"), ("model_version", "INT64")
    ]

    /// The response body and, when any output is binary, the length of its JSON header (the
    /// `Inference-Header-Content-Length` the client needs).
    public static func encode(
        _ predictions: [Prediction], request: InferenceRequest, modelName: String, modelVersion: Int
    ) throws -> (body: [UInt8], headerLength: Int?) {
        // No outputs named (absent, or an empty list) is every output, as the protocol's "all outputs
        // the model produces" when none is asked for.
        let wanted =
            request.outputs.flatMap { $0.isEmpty ? nil : $0 }
            ?? outputs.map { InferenceRequest.RequestedOutput(name: $0.name, binary: nil) }
        var json =
            #"{"model_name":"# + ProjectJSON.quoted(modelName) + #","model_version":""# + String(modelVersion) + #"""#
        if let id = request.id { json += #","id":"# + ProjectJSON.quoted(id) }
        json += #","outputs":["#
        json.reserveCapacity(json.utf8.count + predictions.count * 40 * wanted.count)
        var binary: [UInt8] = []
        for (position, output) in wanted.enumerated() {
            guard let datatype = outputs.first(where: { $0.name == output.name })?.datatype else {
                throw InferenceProtocolError(
                    "unknown output '\(output.name)'; this model gives \(outputs.map(\.name).joined(separator: ", "))")
            }
            if position > 0 { json += "," }
            json +=
                #"{"name":""# + output.name + #"","datatype":""# + datatype + #"","shape":["#
                + String(predictions.count) + "]"
            if output.binary ?? request.binaryOutputs {
                let start = binary.count
                for prediction in predictions { append(output.name, of: prediction, to: &binary) }
                json += #","parameters":{"binary_data_size":"# + String(binary.count - start) + "}}"
            } else {
                json += #","data":["#
                for (row, prediction) in predictions.enumerated() {
                    if row > 0 { json += "," }
                    json += text(output.name, of: prediction)
                }
                json += "]}"
            }
        }
        json += "]}"
        let header = Array(json.utf8)
        return binary.isEmpty && !wanted.contains(where: { $0.binary ?? request.binaryOutputs })
            ? (header, nil) : (header + binary, header.count)
    }

    static func text(_ output: String, of prediction: Prediction) -> String {
        switch output {
        case "proba": RouterModel.jsonNumber(prediction.proba)
        case "signal": String(prediction.signal)
        case "threshold": RouterModel.jsonNumber(prediction.threshold)
        default: String(prediction.modelVersion)
        }
    }

    /// Little-endian, in the output's datatype.
    static func append(_ output: String, of prediction: Prediction, to bytes: inout [UInt8]) {
        func little<T: FixedWidthInteger>(_ value: T) {
            for byte in 0..<MemoryLayout<T>.size { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * byte))) }
        }
        switch output {
        case "proba": little(prediction.proba.bitPattern)
        case "signal": little(Int32(prediction.signal))
        case "threshold": little(prediction.threshold.bitPattern)
        default: little(Int64(prediction.modelVersion))
        }
    }

    /// `GET /v2/models/{name}`: the inputs in the matrix layout (the feature order in the
    /// `features` input's `columns` parameter), the outputs, and the one version served.
    public static func modelMetadata(_ manifest: RouterManifest) -> [UInt8] {
        let columns = manifest.featureColumns.joined(separator: ",")
        var json =
            #"{"name":"# + ProjectJSON.quoted(manifest.name) + #","versions":[""# + String(manifest.version)
            + #""],"platform":"mntrading_router","#
        json += #""inputs":[{"name":"pair","datatype":"BYTES","shape":[-1]},"#
        json +=
            #"{"name":"features","datatype":"FP32","shape":[-1,"# + String(manifest.featureColumns.count)
            + #"],"parameters":{"columns":"# + ProjectJSON.quoted(columns) + "}}],"
        json +=
            #""outputs":["#
            + outputs.map { #"{"name":""# + $0.name + #"","datatype":""# + $0.datatype + #"","shape":[-1]}"# }.joined(
                separator: ",") + "]}"
        return Array(json.utf8)
    }

    /// `GET /v2`: who answers and which protocol extensions it speaks.
    public static func serverMetadata(version: String) -> [UInt8] {
        Array(
            (#"{"name":"mntrading-serve","version":"# + ProjectJSON.quoted(version)
                + #","extensions":["binary_tensor_data"]}"#).utf8)
    }
}
