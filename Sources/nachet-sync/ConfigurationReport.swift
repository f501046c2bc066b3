import Foundation
import Logging
import NachetSync
import NachetSyncServer

/// The settings `doctor` says, one line each: the value in effect (secrets
/// masked) and where it came from, a flag, the `--config` file and its
/// line, the environment, or the default. A value that cannot be used is a
/// failed check with its fix.
struct ConfigurationReport {
    var options: GlobalOptions
    var settings: Settings
    /// The drop folders given as arguments.
    var dropDirectories: [String]

    /// The drop folders `NACHET_SYNC_DROP_DIR` names.
    static func settingDropDirectories(_ settings: Settings) -> [String] {
        settings[.dropDirectories]?.split(separator: ":").map(String.init) ?? []
    }

    var findings: [DoctorFinding] {
        var findings = [configFile]
        let state = options.stateDirectory.map(AgentConfiguration.absolute)
        let configuration = try? options.configuration(settings)
        func line(_ name: String, _ value: String, _ origin: SettingOrigin) -> DoctorFinding {
            .pass("setting \(name)", "\(value) (\(origin))")
        }
        func origin(_ flag: Any?, _ setting: Setting, _ fallback: String) -> SettingOrigin {
            flag != nil ? .flag(setting.flag ?? setting.variable) : settings.origin(of: setting) ?? .defaultValue(fallback)
        }
        let stateDirectory = configuration?.stateDirectory ?? state ?? "?"
        findings.append(
            line(
                "state directory", stateDirectory,
                origin(options.stateDirectory, .stateDirectory, getuid() == 0 ? "for root" : "under your home")))
        if let configuration {
            findings.append(
                line(
                    "catalogue", configuration.catalogue.description,
                    origin(options.catalogue, .catalogue, "embedded, in the state directory")))
            findings.append(line("schema", configuration.schema ?? "none", origin(options.schema, .schema, "")))
            let blobOrigin: SettingOrigin =
                options.blobStore != nil
                ? .flag("--blob-store")
                : settings.origin(of: .blobStore) ?? settings.origin(of: .blobAccount)
                    ?? .defaultValue("embedded, in the state directory")
            findings.append(line("blob store", configuration.blobStore.description, blobOrigin))
        }
        let drops = dropDirectories.isEmpty ? Self.settingDropDirectories(settings) : dropDirectories
        findings.append(
            line(
                "drop folders", drops.isEmpty ? "none" : drops.map(AgentConfiguration.absolute).joined(separator: ", "),
                dropDirectories.isEmpty ? settings.origin(of: .dropDirectories) ?? .defaultValue("") : .flag("the arguments")))
        findings.append(numeric(.parallelUploads, flag: options.parallelUploads.map(Double.init), fallback: "\(SyncEngine.defaultPicturesInFlight), then sized to the network (16 to 256)"))
        findings.append(
            numeric(.giveUpAfter, flag: options.giveUpAfter, fallback: "\(RetryPolicy.defaultGiveUpAfter.components.seconds)"))
        findings.append(numeric(.stabilityWindow, flag: nil, fallback: "2"))
        findings.append(numeric(.rescanInterval, flag: nil, fallback: "60", note: "10 on a network filesystem"))
        if let configuration {
            findings.append(
                line(
                    "ready marker", configuration.readyMarker ?? "none",
                    origin(options.readyMarker, .readyMarker, "a folder is taken once it has a metadata.json")))
            findings.append(
                line(
                    "status files", configuration.writesStatusFiles ? "on" : "off",
                    origin(options.statusFile, .statusFile, "")))
            findings.append(
                line(
                    "follow symlinks", configuration.followsSymlinks ? "on" : "off",
                    origin(options.followSymlinks, .followSymlinks, "")))
            findings.append(
                line(
                    "image extensions", configuration.extensions.extensions.sorted().joined(separator: " "),
                    settings.origin(of: .validExtensions) ?? .defaultValue("Nachet's")))
        }
        if let listen = settings[.metricsListen], MetricsListenAddress(parsing: listen) == nil {
            findings.append(.fail("setting metrics", "\(Setting.metricsListen.variable)=\(listen): expected \(MetricsListenAddress.expectation)"))
        } else {
            findings.append(
                line(
                    "metrics", settings[.metricsListen].map { "served by `watch` at http://\($0)/metrics" } ?? "not served",
                    settings.origin(of: .metricsListen) ?? .defaultValue("`watch --metrics-listen` serves them")))
        }
        let level = options.logLevel?.rawValue ?? settings[.logLevel] ?? "info"
        findings.append(
            Logger.Level(rawValue: level) == nil
                ? .fail("setting log level", "\(Setting.logLevel.variable)=\(level): expected trace, debug, info, notice, warning, error or critical")
                : line("log level", level, origin(options.logLevel, .logLevel, "")))
        let format = options.logFormat?.rawValue ?? settings[.logFormat] ?? "text"
        findings.append(
            LogFormat(rawValue: format) == nil
                ? .fail("setting log format", "\(Setting.logFormat.variable)=\(format): expected text or json")
                : line("log format", format, origin(options.logFormat, .logFormat, "")))
        if configuration == nil {
            do {
                _ = try options.configuration(settings)
            } catch {
                findings.append(.fail("configuration", "\(error)"))
            }
        }
        return findings
    }

    /// The configuration file, and whether others may read the secrets in it.
    private var configFile: DoctorFinding {
        guard let file = settings.file else {
            return .pass("setting config file", "none (default: flags and the environment only; --config or \(Setting.configFile.variable) names one)")
        }
        if let exposure = settings.fileExposure { return .fail("setting config file", "\(exposure)") }
        let origin: SettingOrigin = options.configFile != nil ? .flag("--config") : .environment(variable: Setting.configFile.variable)
        return .pass("setting config file", "\(file) (\(origin))")
    }

    /// A numeric setting: its value in effect, or a failed check naming its range.
    /// - Parameter note: What the default depends on, said after it.
    private func numeric(_ setting: NumericSetting, flag: Double?, fallback: String, note: String? = nil) -> DoctorFinding {
        let name = "setting " + setting.flag.dropFirst(2).replacingOccurrences(of: "-", with: " ")
        if let flag { return .pass(name, "\(Self.format(flag)) \(setting.unit) (from \(setting.flag))") }
        guard let text = settings[setting.variable] else { return .pass(name, "\(fallback) \(setting.unit) (default\(note.map { "; \($0)" } ?? ""))") }
        guard let value = setting.accepted(text) else {
            return .fail(name, "\(setting.variable)=\(text)\(settings.file.map { " (in \($0))" } ?? ""): expected \(setting.expectation)")
        }
        return .pass(name, "\(Self.format(value)) \(setting.unit) (\(settings.origin(of: setting.variable) ?? .defaultValue("")))")
    }

    private static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
