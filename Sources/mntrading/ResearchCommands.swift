import CLISupport
import ArgumentParser
import Foundation
import MarketData
import PairResearch
import Basics
import DevTools

extension LagSelection: ExpressibleByArgument {}
extension TrendTerm: ExpressibleByArgument {}
extension LabelType: ExpressibleByArgument {}
