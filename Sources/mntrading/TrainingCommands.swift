import CLISupport
import ArgumentParser
import Foundation
import ModelFormat
import MarketData
import PairResearch
import Portfolio
import Training
import Basics
import DevTools
import TrainingRecords

extension Calibration.Method: ExpressibleByArgument {}
extension SignalSource: ExpressibleByArgument {}
