import CXGBoost
import Foundation

@inline(__always)
func xgbCheck(_ code: Int32) throws {
    guard code == 0 else { throw XGBoostError(message: String(cString: XGBGetLastError())) }
}
