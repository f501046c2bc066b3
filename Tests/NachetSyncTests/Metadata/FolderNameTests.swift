import NachetSync
import Testing

@Suite("Folder names Nachet can hold")
struct FolderNameTests {
    @Test(arguments: ["lot-1", "Lot 7 – été", "General", "a_b", String(repeating: "x", count: 245), String(repeating: "é", count: 122)])
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
        #expect(FolderName.derived(fromDirectoryName: "a\u{7F}b\u{85}c\u{1}d") == "a_b_c_d", "every control character, C0, DEL and C1")
    }

    /// Names are measured as file systems and the local blob store measure
    /// them: in UTF-8 bytes, in the form they are stored in (NFC).
    @Test(arguments: [
        (String(repeating: "x", count: 246), 246),
        (String(repeating: "x", count: 251), 251),
        (String(repeating: "x", count: 255), 255),
        (String(repeating: "中", count: 255), 765),  // 255 characters
        ("e" + String(repeating: "\u{301}", count: 5000), 10_000),  // one character
        (String(repeating: "e\u{301}", count: 123), 246),  // 123 × "é" once composed
    ])
    func namesAreMeasuredInBytesOfTheirComposedForm(name: String, bytes: Int) {
        let problem = FolderName.problem(with: name)
        #expect(problem == "is \(bytes) bytes long in UTF-8, over the 245 a set name may hold; shorten it", "\(name.count) characters")
    }

    @Test func aDecomposedNameIsJudgedComposed() {
        // 122 × "é" decomposed is 366 bytes, composed 244: it fits.
        #expect(FolderName.problem(with: String(repeating: "e\u{301}", count: 122)) == nil)
    }

    /// Characters a reader cannot see or tell from others, each named with
    /// its position and what to do.
    @Test(arguments: [
        ("lot\u{200B}1", "contains U+200B ZERO WIDTH SPACE (an invisible formatting character) at character 4; remove it"),
        ("lot\u{202E}1", "contains U+202E RIGHT-TO-LEFT OVERRIDE (an invisible formatting character) at character 4; remove it"),
        ("lot\u{2066}1", "contains U+2066 LEFT-TO-RIGHT ISOLATE (an invisible formatting character) at character 4; remove it"),
        ("\u{FEFF}lot", "contains U+FEFF ZERO WIDTH NO-BREAK SPACE (an invisible formatting character) at character 1; remove it"),
        ("lot\u{7F}1", "contains U+007F (a control character) at character 4; remove it"),
        ("lot\u{85}1", "contains U+0085 (a control character) at character 4; remove it"),
        ("lot\u{0}1", "contains U+0000 (a control character) at character 4; remove it"),
        ("lot\u{A0}1", "contains U+00A0 NO-BREAK SPACE (a space that looks like a plain one) at character 4; type a plain space instead"),
        ("lot\u{2028}1", "contains U+2028 LINE SEPARATOR (a line break) at character 4; remove it"),
        (" lot-1", "begins with a space; remove it"),
        ("lot-1 ", "ends with a space; remove it"),
        ("lot-1\u{3000}", "ends with U+3000 IDEOGRAPHIC SPACE; remove it"),
    ])
    func lookAlikesAreRefusedNamingTheCharacterAndWhere(name: String, problem: String) {
        #expect(FolderName.problem(with: name) == problem)
    }
}
