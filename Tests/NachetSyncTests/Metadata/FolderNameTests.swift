import NachetSync
import Testing

@Suite("Folder names Nachet can hold")
struct FolderNameTests {
    @Test(arguments: ["lot-1", "Lot 7 – été", "General", "a_b"])
    func goodNamesPass(name: String) {
        #expect(FolderName.problem(with: name) == nil)
    }

    @Test(arguments: ["a.b", "a/b", "a\\b", "", "  ", "tab\there", String(repeating: "x", count: 256)])
    func badNamesAreRefused(name: String) {
        #expect(FolderName.problem(with: name) != nil)
    }

    @Test func subfolderNamesAreMappedNotRefused() {
        #expect(FolderName.derived(fromDirectoryName: "lot 3.1") == "lot 3_1")
        #expect(FolderName.problem(with: FolderName.derived(fromDirectoryName: "a.b.c")) == nil)
    }
}
