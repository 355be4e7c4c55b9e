import Basics
import Testing

/// The one rule every environment variable follows (`EnvironmentVariable`): empty is unset, the
/// flag wins, booleans take fixed spellings and anything else is an error naming the variable.
struct EnvironmentVariableTests {
    static let variable = EnvironmentVariable("MNTRADING_TEST_SETTING", "A setting for the test")
    static let name = variable.name

    @Test func anEmptyValueIsTheSameAsUnset() throws {
        for environment in [[:], [Self.name: ""]] {
            #expect(Self.variable.text(in: environment) == nil)
            #expect(Self.variable.text(nil, in: environment) == nil)
            #expect(try Self.variable.bool(nil, in: environment) == nil)
            #expect(try Self.variable.value(nil, NumberRule<Int>.port, in: environment) == nil)
        }
        #expect(Self.variable.text(in: [Self.name: "x"]) == "x")
    }

    @Test func theFlagWinsOverTheVariable() throws {
        let environment = [Self.name: "not a value any rule takes"]
        #expect(Self.variable.text("flag", in: environment) == "flag")
        #expect(try Self.variable.bool(false, in: environment) == false)
        #expect(try Self.variable.value(8080, NumberRule<Int>.port, in: environment) == 8080)
    }

    @Test(arguments: ["1", "true", "TRUE", "True", "yes", "Yes", "on", "ON"])
    func trueSpellings(text: String) throws {
        #expect(try Self.variable.bool(nil, in: [Self.name: text]) == true)
    }

    @Test(arguments: ["0", "false", "FALSE", "False", "no", "NO", "off", "Off"])
    func falseSpellings(text: String) throws {
        #expect(try Self.variable.bool(nil, in: [Self.name: text]) == false)
    }

    @Test(arguments: ["maybe", "2", "y", "n", "enabled", " true", "true ", "00"])
    func anyOtherBooleanIsAnErrorNamingTheVariableAndTheValue(text: String) {
        let expected = EnvironmentVariableError(
            variable: Self.name, value: text, expected: EnvironmentVariable.booleanSpellings)
        #expect(throws: expected) { try Self.variable.bool(nil, in: [Self.name: text]) }
        #expect(expected.description.hasPrefix("\(Self.name)='\(text)': must be "))
        #expect(expected.description.contains("true") && expected.description.contains("off"))
        #expect(expected.exitCode == 64)
    }

    @Test func numbersAreHeldToTheFlagsOwnRule() throws {
        #expect(try Self.variable.value(nil, NumberRule<Int>.port, in: [Self.name: "8080"]) == 8080)
        #expect(try Self.variable.value(nil, NumberRule<Double>.seconds, in: [Self.name: "2.5"]) == 2.5)
        for text in ["abc", "-1", "65536", "nan"] {
            #expect(
                throws: EnvironmentVariableError(
                    variable: Self.name, value: text, expected: NumberRule<Int>.port.summary)
            ) { try Self.variable.value(nil, NumberRule<Int>.port, in: [Self.name: text]) }
        }
    }

    @Test func theHelpTextNamesTheVariableFromItsDeclaration() {
        #expect(Self.variable.help() == "A setting for the test (env MNTRADING_TEST_SETTING).")
        #expect(
            Self.variable.help("Its own words", default: "5", note: "More.")
                == "Its own words (env MNTRADING_TEST_SETTING, default 5). More.")
        #expect("\(Self.variable)" == Self.name)
        #expect(EnvironmentVariable.booleanSpellings == "1, true, yes or on (true), or 0, false, no or off (false)")
    }
}
