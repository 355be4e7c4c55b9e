#!/usr/bin/env bash
# Regenerates the Swift code for the ONNX subset (Sources/ModelFormat/Generated/onnx_subset.pb.swift).
# Needs protoc (Debian: protobuf-compiler) and protoc-gen-swift built from the swift-protobuf version
# that Package.swift names (a debug build of the plugin takes a few minutes; the generated file is
# committed and CI never runs this script). The types are internal: only ModelFormat reads them.
#   PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift scripts/generate-protobuf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PLUGIN=${PROTOC_GEN_SWIFT:-}
if [ -z "$PLUGIN" ]; then
    echo "building protoc-gen-swift (slow)…"
    swift build --product protoc-gen-swift --package-path .build/checkouts/swift-protobuf
    PLUGIN=.build/checkouts/swift-protobuf/.build/debug/protoc-gen-swift
fi
mkdir -p Sources/ModelFormat/Generated
protoc --plugin=protoc-gen-swift="$PLUGIN" --swift_opt=Visibility=Internal \
    --swift_out=Sources/ModelFormat/Generated -I Sources/ModelFormat/Proto Sources/ModelFormat/Proto/onnx_subset.proto
echo "wrote Sources/ModelFormat/Generated/onnx_subset.pb.swift"
