// Statistics (OLS, ADF, Engle–Granger, half-life), screening, pair features, labels and datasets.
//
// Filled by issue #3; see ../shared/DESIGN.md. Nothing here yet, and no command pretends otherwise.
