import Foundation
import Basics

/// The flag that sets a setting, for messages: a setting's key is its flag without the dashes,
/// except where the flag says more than the field (`splits` is `--n-splits`).
public enum FlagNames {
    static let differing = [
        "splits": "n-splits", "delay_bars": "fill-delay", "z_rule_threshold": "zscore-threshold",
        "training_days": "train-days", "screening_days": "screen-days"
    ]

    public static func flag(for setting: String) -> String {
        "--" + (differing[setting] ?? setting.replacingOccurrences(of: "_", with: "-"))
    }

    /// An error as the command line says it: a setting by its flag, anything else as it describes itself.
    public static func message(_ error: Error) -> String {
        guard let error = error as? SettingError else { return "\(error)" }
        return "\(flag(for: error.setting)) \(error.problem)"
    }
}
