/// The names a model store is used with when none is given, spelled once: the router's registered
/// name and the alias a new version is pointed at and clients follow (`mntrading router`,
/// `mntrading pipeline`, `mntrading ops`, the examples in every program's help).
extension ModelStore {
    /// The registered model's name: `models:/mntrading_router@champion`.
    public static let defaultModelName = "mntrading_router"
    /// The alias a new version is pointed at, promoted and rolled back by the dashboard.
    public static let defaultAlias = "champion"
    /// `models:/<defaultModelName>@<defaultAlias>`, for examples.
    public static let defaultModelURI = "models:/\(defaultModelName)@\(defaultAlias)"
}
