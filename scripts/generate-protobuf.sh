#!/usr/bin/env bash
# Regenerates the Swift code for the ONNX subset (Sources/ModelFormat/Generated/onnx_subset.pb.swift).
# Needs protoc (Debian: protobuf-compiler) and protoc-gen-swift built from the swift-protobuf version
# that Package.swift names. Building that plugin takes ~10 minutes on a 2-core machine, which is why
# the generated file is committed and CI never runs this script.
#   PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift scripts/generate-protobuf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PLUGIN=${PROTOC_GEN_SWIFT:-}
if [ -z "$PLUGIN" ]; then
    echo "building protoc-gen-swift (slow)…"
    swift build -c release --product protoc-gen-swift --package-path .build/checkouts/swift-protobuf
    PLUGIN=.build/checkouts/swift-protobuf/.build/release/protoc-gen-swift
fi
mkdir -p Sources/ModelFormat/Generated
protoc --plugin=protoc-gen-swift="$PLUGIN" --swift_opt=Visibility=Public \
    --swift_out=Sources/ModelFormat/Generated -I Sources/ModelFormat/Proto Sources/ModelFormat/Proto/onnx_subset.proto
echo "wrote Sources/ModelFormat/Generated/onnx_subset.pb.swift"
