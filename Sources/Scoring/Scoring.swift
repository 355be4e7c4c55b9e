// Native evaluation of member ONNX models and the router; request decoding and response encoding.
//
// Filled by issue #5; see ../shared/DESIGN.md. Nothing here yet, and no command pretends otherwise.
