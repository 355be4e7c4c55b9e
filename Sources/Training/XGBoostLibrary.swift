import CXGBoost

/// Facts about the linked libxgboost (Debian's libxgboost-dev).
public enum XGBoostLibrary {
    /// e.g. "1.7.4", as the library reports it at run time.
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        XGBoostVersion(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
