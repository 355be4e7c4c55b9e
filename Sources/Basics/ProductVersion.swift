/// The one version of mntrading: the programs' `--version`, the server's `/version`, the
/// `code_version` recorded with every training run and model, the ONNX members' producer version.
public enum ProductVersion {
    public static let current = "0.2.0"
    /// As recorded with runs and models.
    public static let code = "mntrading \(current)"
}
