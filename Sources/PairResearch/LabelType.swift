import Foundation
import GRDB
import MarketData
import Basics
import Store

/// What the classifier learns to predict. All three look `horizon` bars ahead at the spread of a
/// position opened at bar t: s^t_{t+h} = ln A_{t+h} − β_t·ln B_{t+h} − α_t (hedge ratio and intercept
/// frozen at t, so nothing estimated after t enters the label's definition), with forward move
/// r = s^t_{t+h} − s_t. "Toward the mean" means against the sign of z_t: sign(z_t)·r < 0.
public enum LabelType: String, Codable, Sendable, CaseIterable {
    /// Defined only where the spread is stretched (|z_t| ≥ threshold): 1 when it moves toward the
    /// mean over the horizon, else 0. Unstretched bars have no label (nothing to trade there), so the
    /// classifier learns reversion itself rather than the stretch it can already see in z.
    case zThreshold = "z_threshold"
    /// 1 when the spread moves toward the mean over the horizon (sign(z_t)·r < 0), else 0.
    case revertDirection = "revert_direction"
    /// 1 when the spread moves toward the mean by more than τ = k·σ̂_t·√h, with σ̂_t the spread
    /// volatility (sd of bar-to-bar spread changes over the z window) at t; else 0.
    case volScaled = "vol_scaled"
    /// Defined only on stretched bars: 1 when the trade the strategy would take there pays after
    /// fees. The position −sign(z_t) is held until z crosses zero or `horizon` bars pass, earning
    /// each bar's spread move over (1 + |β|) as the backtest does, minus the fee on entry and exit.
    /// This is what the model is for: which stretches revert far enough to beat the costs.
    case tradeOutcome = "trade_outcome"
}
