import Testing

@testable import NachetSync

/// Names from the drop folder, written where a person or journald reads
/// lines: control characters become visible escapes, anything else stays.
@Suite("control characters in names")
struct ControlCharacterEscapingTests {
    @Test(arguments: [
        ("line\nbreak", #"line\nbreak"#),
        ("tab\tand\rreturn", #"tab\tand\rreturn"#),
        ("clear\u{1B}[2Jscreen", #"clear\u{1B}[2Jscreen"#),
        ("nul\u{0}del\u{7F}", #"nul\u{0}del\u{7F}"#),
        ("c1 csi\u{9B}31m", #"c1 csi\u{9B}31m"#),
        ("photo\u{202E}gnp.exe", #"photo\u{202E}gnp.exe"#),
        ("isolate\u{2066}x\u{2069}", #"isolate\u{2066}x\u{2069}"#),
    ])
    func controlCharactersBecomeVisibleEscapes(name: String, shown: String) {
        #expect(name.escapingControlCharacters == shown)
    }

    @Test(arguments: ["IMG_0001.png", "Brassica napus à 10×.tif", "بذور-١.png", "種子 🌱.jpg", "a\\nb.png", ""])
    func everythingElseIsLeftAsItIs(name: String) {
        #expect(name.escapingControlCharacters == name)
    }
}
