import Foundation
import NachetSyncTestSupport
import Testing

/// The emulator is trusted only because Microsoft's `azure-storage-blob`
/// Python SDK, talking to it as to Azure, passes every check of
/// `Tests/AzureFidelity/sdk_check.py`.
@Suite("Azure emulator fidelity, judged by Microsoft's SDK")
struct SDKFidelityTests {
    @Test func theSDKPassesEveryCheckAgainstTheEmulator() async throws {
        let emulator = try await AzureEmulator.start()
        let script = TestPython.repository.appendingPathComponent("Tests/AzureFidelity/sdk_check.py").path
        let result = try await TestPython.run([script, emulator.endpoint, AzureEmulator.accountKey])
        print(result.output)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("14 passed, 0 failed"), "\(result.output)")
        await emulator.stop()
    }
}
