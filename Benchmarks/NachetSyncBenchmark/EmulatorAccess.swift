import NachetSyncTestSupport

/// An Azure emulator as one tool's run reaches it: directly, or through a
/// ``DelayingProxy`` that puts it a round trip away.
struct EmulatorAccess {
    let emulator: AzureEmulator
    /// The port the tool connects to: the proxy's, or the emulator's own.
    let port: Int

    /// A connection string with the account key, for the agent.
    var connectionString: String { emulator.connectionString(port: port) }

    /// A container SAS URL, for rclone.
    func containerSASURL(_ container: String) -> String { emulator.containerSASURL(container, port: port) }
}

/// Runs `body` with a fresh emulator, behind a proxy adding `roundTrip`
/// when one is given, and stops both afterwards.
func withEmulator<T>(roundTrip: Duration? = nil, _ body: (EmulatorAccess) async throws -> T) async throws -> T {
    let emulator = try await AzureEmulator.start()
    var proxy: DelayingProxy?
    do {
        if let roundTrip { proxy = try await DelayingProxy.start(to: emulator.port, roundTrip: roundTrip) }
        let result = try await body(EmulatorAccess(emulator: emulator, port: proxy?.port ?? emulator.port))
        await proxy?.stop()
        await emulator.stop()
        return result
    } catch {
        await proxy?.stop()
        await emulator.stop()
        throw error
    }
}
