import ArgumentParser
import Foundation
import NachetSync

/// `nachet-sync doctor [DROP_DIR…]`: is everything the agent needs there?
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the configuration, folders, catalogue, blob store and inotify limits, one line each with the fix.",
        discussion: """
            Says each setting in effect and where it came from (a flag, the --config file and \
            its line, the environment, or the default), secrets masked; then checks that the \
            drop folders may be read (and written, with status files on), that the state \
            directory may be written, that the catalogue answers and has Nachet's tables and \
            the rights the agent needs (tried in a transaction rolled back), that the blob \
            store accepts the credentials and the rights the agent uses (an empty container and \
            an uncommitted block, never a blob, removed when the credentials may delete) and \
            that this PC's clock agrees with it, and that inotify can watch every folder. Each check waits a few seconds at most.

            Exit code 0 when every check passes, 1 when one fails.

            EXAMPLE
              nachet-sync doctor /srv/seed-drop
              nachet-sync doctor --config /etc/nachet-sync/nachet-sync.env
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(
        help: ArgumentHelp(
            "The drop folders to check. Default: \(Setting.dropDirectories.variable) (':' between folders).", valueName: "drop-dir"))
    var dropDirectories: [String] = []

    func run() async throws {
        let settings: Settings
        do {
            settings = try Settings.load(file: options.configFile)
        } catch {
            print(DoctorFinding.fail("configuration", "\(error)"))
            throw ExitCode(1)
        }
        var findings = ConfigurationReport(options: options, settings: settings, dropDirectories: dropDirectories).findings
        for finding in findings { print(finding) }
        let configuration: AgentConfiguration
        do {
            configuration = try options.configuration(settings)
        } catch {
            print(DoctorFinding.fail("configuration", "\(error)"))
            throw ExitCode(1)
        }
        let drops = dropDirectories.isEmpty ? ConfigurationReport.settingDropDirectories(settings) : dropDirectories
        for finding in await Doctor.check(configuration: configuration, dropDirectories: drops.map(AgentConfiguration.absolute)) {
            print(finding)
            findings.append(finding)
        }
        let failed = findings.filter { !$0.passed }.count
        print(failed == 0 ? "all \(findings.count) checks passed" : "\(failed) of \(findings.count) checks failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
