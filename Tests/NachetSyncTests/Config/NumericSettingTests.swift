import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// Every numeric setting has a range; anything outside it is a plain mistake.
@Suite("numeric settings")
struct NumericSettingTests {
    static let outOfRange = ["inf", "-inf", "infinity", "nan", "1e300", "-1", "1e19", "99999999999999999999"]

    private func settings(_ key: String, _ value: String) -> Settings {
        Settings(values: [key: value], file: "/etc/nachet-sync.env")
    }

    @Test(arguments: outOfRange)
    func aWindowOrIntervalOutOfRangeNamesTheSettingAndItsRange(_ value: String) {
        for setting in [NumericSetting.stabilityWindow, .rescanInterval] {
            #expect {
                try settings(setting.variable, value).seconds(setting.variable)
            } throws: { error in
                let message = "\(error)"
                return message.contains("\(setting.variable)=\(value) (in /etc/nachet-sync.env)") && message.contains(setting.expectation)
            }
        }
    }

    @Test(arguments: outOfRange + ["0", "257", "2.5"])
    func parallelUploadsOutOfRangeNamesTheSettingAndItsRange(_ value: String) {
        #expect {
            try settings("NACHET_SYNC_PARALLEL_UPLOADS", value).count("NACHET_SYNC_PARALLEL_UPLOADS")
        } throws: { error in
            "\(error)".contains("NACHET_SYNC_PARALLEL_UPLOADS=\(value)") && "\(error)".contains("a whole number of pictures from 1 to 256")
        }
    }

    @Test func theBoundsAreAccepted() throws {
        #expect(try settings("NACHET_SYNC_STABILITY_WINDOW", "0").seconds("NACHET_SYNC_STABILITY_WINDOW") == 0)
        #expect(try settings("NACHET_SYNC_STABILITY_WINDOW", "3600").seconds("NACHET_SYNC_STABILITY_WINDOW") == 3_600)
        #expect(try settings("NACHET_SYNC_RESCAN_INTERVAL", "1").seconds("NACHET_SYNC_RESCAN_INTERVAL") == 1)
        #expect(try settings("NACHET_SYNC_RESCAN_INTERVAL", "86400").seconds("NACHET_SYNC_RESCAN_INTERVAL") == 86_400)
        #expect(try settings("NACHET_SYNC_PARALLEL_UPLOADS", "1").count("NACHET_SYNC_PARALLEL_UPLOADS") == 1)
        #expect(try settings("NACHET_SYNC_PARALLEL_UPLOADS", "256").count("NACHET_SYNC_PARALLEL_UPLOADS") == 256)
        #expect(throws: ConfigurationError.self) {
            try settings("NACHET_SYNC_RESCAN_INTERVAL", "0.5").seconds("NACHET_SYNC_RESCAN_INTERVAL")
        }
        #expect(throws: ConfigurationError.self) {
            try settings("NACHET_SYNC_STABILITY_WINDOW", "3600.5").seconds("NACHET_SYNC_STABILITY_WINDOW")
        }
    }

    @Test func flagsAreCheckedAgainstTheSameRanges() {
        for value in [Double.infinity, -.infinity, .nan, 1e300, -1, 86_401] {
            #expect(
                NumericSetting.rescanInterval.flagProblem(value)
                    == "--rescan-interval must be a number of seconds from 1 to 86400, such as 60")
        }
        #expect(NumericSetting.stabilityWindow.flagProblem(.infinity)?.hasPrefix("--stability-window must be") == true)
        #expect(NumericSetting.stabilityWindow.flagProblem(0) == nil)
        #expect(
            NumericSetting.parallelUploads.flagProblem(257) == "--parallel-uploads must be a whole number of pictures from 1 to 256, such as 32")
        #expect(NumericSetting.parallelUploads.flagProblem(256) == nil)
    }

    @Test func everyNumericSettingIsAKnownSetting() {
        for setting in NumericSetting.all { #expect(Settings.known[setting.variable] != nil) }
    }
}
