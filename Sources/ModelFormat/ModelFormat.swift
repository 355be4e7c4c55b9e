// The versioned model directory: MLmodel manifest, router manifest, ONNX read/write, registry, models:/ URIs.
//
// Filled by issue #5; see ../shared/DESIGN.md. Nothing here yet, and no command pretends otherwise.
