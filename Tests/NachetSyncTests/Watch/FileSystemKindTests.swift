import NachetSync
import NachetSyncTestSupport
import Testing

@Suite("Network filesystems are told apart")
struct FileSystemKindTests {
    @Test(arguments: [0xFF53_4D42 as UInt32, 0xFE53_4D42, 0x6969, 0x6573_5546])
    func sharesAreNetworkFilesystems(magic: UInt32) {
        #expect(FileSystemKind(magic: magic).isNetwork)
    }

    @Test(arguments: [0xEF53 as UInt32, 0x5846_5342, 0x0102_1994, 0x794C_7630])
    func localDisksAreNot(magic: UInt32) {
        #expect(!FileSystemKind(magic: magic).isNetwork)
    }

    @Test func theTestsTemporaryFolderIsFound() {
        let directory = TemporaryDirectory()
        #expect(FileSystemKind.of(directory.path) != nil)
        #expect(FileSystemKind.of(directory.appending("missing")) == nil)
    }
}
