import Foundation
import NachetSync
import Testing

/// The one table of settings: each declared once, and what the commands
/// say of them comes from it.
@Suite("the table of settings")
struct SettingTableTests {
    @Test func eachSettingHasAVariableAndAFlagOfItsOwn() {
        let variables = Setting.all.map(\.variable)
        #expect(Set(variables).count == variables.count, "a variable declared twice")
        #expect(variables.allSatisfy { $0.hasPrefix("NACHET_") })
        let flags = Setting.all.compactMap(\.flag)
        #expect(Set(flags).count == flags.count, "a flag declared twice")
        #expect(NumericSetting.all.allSatisfy { Setting.all.contains($0.setting) }, "every numeric setting is in the table")
        #expect(Settings.known.count == Setting.all.count, "a --config file takes every setting of the table, and only those")
    }

    @Test func everyFlagIsInTheHelpOfACommandWithItsVariable() async throws {
        var help = ""
        for command in [["sync"], ["watch"], ["serve", "run"], ["seeds"]] {
            help += try await CommandLineTests().run(command + ["--help"]).output
        }
        let flat = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for setting in Setting.all {
            guard let flag = setting.flag else { continue }
            let (flagSaid, variableSaid) = (flat.contains(flag), flat.contains(setting.variable))
            #expect(flagSaid, "\(flag) is in no command's help")
            #expect(variableSaid, "the help names \(setting.variable), the setting of \(flag)")
        }
    }
}
