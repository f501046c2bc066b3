import Foundation
import NachetSync
import Testing

@Suite("metadata.json parsing: strict, bounded, and readable messages")
struct SetMetadataParsingTests {
    static let minimal = #"{"user_email": "tech@lab.example", "seed_name": "Brassica napus""#

    static func problems(_ text: String) -> [String] {
        problems(Data(text.utf8))
    }

    static func problems(_ data: Data) -> [String] {
        do {
            _ = try SetMetadata.parse(data)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func aFileSavedAsUTF16ByNotepadIsRead() throws {
        let text = Self.minimal + #", "description": "été"}"#
        var data = Data([0xFF, 0xFE])
        data.append(contentsOf: text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        #expect(try SetMetadata.parse(data).pictures.description == "été")
        #expect(try SetMetadata.parse(Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)).pictures.description == "été")
    }

    @Test func aKeyGivenTwiceNamesBothPlacesAndTheLastValueIsNeverSilentlyUsed() {
        let problems = Self.problems("{\"user_email\": \"tech@lab.example\",\n \"seed_name\": \"a\",\n \"seed_name\": \"b\"}")
        #expect(
            problems == [
                "seed_name: given twice (line 2, column 2 and line 3, column 2); programs disagree on which value counts — keep only one of them"
            ])
        let nested = Self.problems(Self.minimal + #", "images": {"f.png": {"nb_seeds": 1, "nb_seeds": 2}}}"#)
        #expect(nested.first?.hasPrefix("images.f.png.nb_seeds: given twice (line 1, column ") == true, "\(nested)")
    }

    @Test func aNULCharacterIsOneProblemForItsField() {
        #expect(
            Self.problems(Self.minimal + #", "folder_name": "a\u0000b"}"#)
                == [#"folder_name: contains a NUL character (\u0000); remove it — PostgreSQL cannot store it"#])
        #expect(
            Self.problems(Self.minimal + #", "images": {"f\u0000.png": {}}}"#)
                == [#"images.f\u0000.png: contains a NUL character (\u0000); remove it — PostgreSQL cannot store it"#])
    }

    @Test func everyOtherMistakeIsStillReportedBesideADuplicate() {
        let problems = Self.problems(#"{"user_email": "tech@lab.example", "seed_name": "a", "seed_name": "b", "zoom": 2}"#)
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("zoom: unknown field") })
    }

    @Test func aHostileFileGivesABoundedReport() {
        let fields = (0..<200).map { #""unknown_\#($0)": 1"# }.joined(separator: ", ")
        let problems = Self.problems(Self.minimal + ", " + fields + "}")
        #expect(problems.count == 21)
        #expect(problems.last == "180 more problems — fix those above first, then look again")
        let longKey = String(repeating: "k", count: 10_000)
        let long = Self.problems(Self.minimal + #", "\#(longKey)": 1}"#)
        #expect(long.count == 1 && long[0].count < 300, "\(long.first?.count ?? 0) characters: the key is shortened")
        let control = Self.problems(Self.minimal + #", "x\u0001": "\u0007"}"#)
        #expect(control.first?.hasPrefix(#"x\u0001: unknown field"#) == true, "\(control)")
    }

    @Test func syntaxErrorsSayWhereAndWhat() {
        #expect(
            Self.problems("{\n  \"user_email\": \"tech@lab.example\"\n  \"seed_name\": \"x\"\n}")
                == [
                    "it is not valid JSON (near line 3, column 3): expected ',' or '}' after a field, found '\"' "
                        + "— correct the syntax: keys and texts in double quotes, commas between fields, braces closed"
                ])
        #expect(Self.problems("{“user_email”: 1}").first?.contains("typographic quote “") == true)
        #expect(Self.problems(Self.minimal).first?.contains("the file ends too early") == true)
        #expect(Self.problems(Data([0xEF, 0xBB, 0xBF, 0x20])).first?.hasPrefix("the file is empty") == true)
    }

    @Test func aMebibyteOfHostileMetadataIsJudgedQuickly() {
        let limit = SetMetadata.maximumFileSize - 100
        let shapes: [(String, String)] = [
            ("one long unknown key", #"{""# + String(repeating: "k", count: limit) + #"": 1}"#),
            ("many unknown keys", "{" + (0..<(limit / 12)).map { #""k\#($0)": 1"# }.joined(separator: ",") + "}"),
            ("many images", #"{"images": {"# + (0..<(limit / 24)).map { #""f\#($0)": {"x": 0}"# }.joined(separator: ",") + "}}"),
            ("deep lists side by side", "[" + Array(repeating: String(repeating: "[", count: 60) + String(repeating: "]", count: 60), count: limit / 121).joined(separator: ",") + "]"),
            ("one long number", "[" + String(repeating: "7", count: limit) + "]"),
            ("escapes", #"{"description": ""# + String(repeating: #"é"#, count: limit / 6) + #""}"#),
        ]
        for (name, text) in shapes {
            #expect(text.utf8.count <= SetMetadata.maximumFileSize, "\(name)")
            let started = ContinuousClock.now
            let problems = Self.problems(text)
            #expect(!problems.isEmpty && problems.count <= 21, "\(name)")
            let took = ContinuousClock.now - started
            #expect(took < .seconds(30), "\(name)")
        }
    }
}
