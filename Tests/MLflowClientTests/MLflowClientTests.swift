import Foundation
import Testing
@testable import MLflowClient

@Suite struct MLflowClientTests {
    @Test func refusesFileStoresAndCredentialsInTheURI() {
        #expect(throws: MLflowError.self) { try MLflowClient(trackingURI: "file:./mlruns") }
        #expect(throws: MLflowError.self) { try MLflowClient(trackingURI: "http://user:secret@127.0.0.1:5000") }
    }

    @Test func credentialsComeFromMLflowsEnvironment() {
        #expect(MLflowCredentials(environment: ["MLFLOW_TRACKING_TOKEN": "t0k"]).headers.first?.value == "Bearer t0k")
        #expect(
            MLflowCredentials(environment: ["MLFLOW_TRACKING_USERNAME": "u", "MLFLOW_TRACKING_PASSWORD": "p"]).headers
                .first?.value
                == "Basic " + Data("u:p".utf8).base64EncodedString())
        #expect(MLflowCredentials(environment: [:]).headers.isEmpty)
    }

    @Test func proxyPathsOfArtifactURIs() throws {
        let client = try MLflowClient(trackingURI: "http://127.0.0.1:5000/")
        #expect(client.trackingURI == "http://127.0.0.1:5000")
        #expect(try client.proxyPath("mlflow-artifacts:/1/abc/artifacts") == "1/abc/artifacts")
        #expect(try client.proxyPath("mlflow-artifacts://host:5000/1/abc/artifacts") == "1/abc/artifacts")
        #expect(throws: MLflowError.self) { try client.proxyPath("/var/mlruns/1/abc/artifacts") }
    }

    @Test func longParamValuesAreCutAndMarked() {
        let clipped = MLflowClient.clip(String(repeating: "x", count: 7000))
        #expect(clipped.count == MLflowClient.maxParamValueLength && clipped.hasSuffix("…(cut)"))
        #expect(MLflowClient.clip("short") == "short")
    }

    @Test func aliasReferences() {
        #expect(RegistryMirror.aliasReference("models:/m@champion")! == ("m", "champion"))
        #expect(RegistryMirror.aliasReference("models:/m/3") == nil)
        #expect(RegistryMirror.aliasReference("/tmp/x") == nil)
    }
}
