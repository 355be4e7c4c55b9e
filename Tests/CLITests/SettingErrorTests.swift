import Basics
import CLISupport
import PairResearch
import Testing
import TrainingRecords

/// Library code names a setting by its key, never by a flag; the command line names the flag.
struct SettingErrorTests {
    @Test func aLibraryCheckNamesTheSettingAndTheCommandLineItsFlag() throws {
        var cv = CrossValidation()
        cv.splits = 1
        let error = try #require(#expect(throws: SettingError.self) { try cv.validate() })
        #expect(error.description == "splits must be at least 2 (got 1)")
        #expect(FlagNames.message(error) == "--n-splits must be at least 2 (got 1)")
        #expect(ProgramExit.code(for: error) == 64)
        var screen = ScreeningParameters()
        screen.halfLifeMax = -1
        let named = try #require(#expect(throws: SettingError.self) { try screen.validate() })
        #expect(FlagNames.message(named) == "--half-life-max must be positive (got -1.0)")
        #expect(FlagNames.message(SettingError("delay_bars", "x")) == "--fill-delay x")
    }
}
