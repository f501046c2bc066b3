import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// `examples/metadata.schema.json` and ``SetMetadata/parse(_:)`` must accept
/// and reject the same documents, but for the few the code refuses on
/// purpose (``strictlyByTheCode``: keys given twice, NUL characters), each
/// with its reason. Python's `jsonschema` (installed by
/// `packaging/dev-setup.sh`) judges the schema side.
@Suite("metadata.json: the JSON Schema and the code agree")
struct SchemaAgreementTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let uuid = "3f1c2b8e-0000-4000-8000-000000000000"

    /// Documents on both sides of every rule.
    static let documents: [String] = [
        #"{"user_email": "a@b", "seed_name": "x"}"#,
        #"{"user_id": "\#(uuid)", "seed_id": "\#(uuid)"}"#,
        #"{"user_id": "3F1C2B8E-0000-4000-8000-000000000000", "seed_name": "x"}"#,
        #"{"user_email": "a@b", "seed_name": "x", "zoom_level": 0.01, "nb_seeds": 0, "description": ""}"#,
        #"{"user_email": "a@b", "seed_name": "x", "folder_name": "Lot 7 – été"}"#,
        #"{"user_email": "a@b", "seed_name": "x", "images": {"f.png": {}}}"#,
        #"{"user_email": "a@b", "seed_name": "x", "images": {"f.png": {"seed_id": "\#(uuid)", "nb_seeds": 3, "zoom_level": 2, "description": "d"}}}"#,
        "{}",
        "[]",
        #""text""#,
        #"{"user_email": "a@b"}"#,
        #"{"seed_name": "x"}"#,
        #"{"user_email": "a@b", "user_id": "\#(uuid)", "seed_name": "x"}"#,
        #"{"user_email": "a@b", "seed_name": "x", "seed_id": "\#(uuid)"}"#,
        #"{"user_email": "not-an-email", "seed_name": "x"}"#,
        #"{"user_email": "a b@c", "seed_name": "x"}"#,
        #"{"user_email": "a@b", "seed_name": ""}"#,
        #"{"user_email": "a@b", "seed_name": "   "}"#,
        #"{"user_email": "a@b", "seed_name": 5}"#,
        #"{"user_id": "not-a-uuid", "seed_name": "x"}"#,
        #"{"user_email": "a@b", "seed_name": "x", "zoom": 1}"#,
        #"{"user_email": "a@b", "seed_name": "x", "zoom_level": 0}"#,
        #"{"user_email": "a@b", "seed_name": "x", "zoom_level": -2}"#,
        #"{"user_email": "a@b", "seed_name": "x", "zoom_level": "2"}"#,
        #"{"user_email": "a@b", "seed_name": "x", "nb_seeds": 2.5}"#,
        #"{"user_email": "a@b", "seed_name": "x", "nb_seeds": -1}"#,
        #"{"user_email": "a@b", "seed_name": "x", "nb_seeds": true}"#,
        #"{"user_email": "a@b", "seed_name": "x", "folder_name": "a.b"}"#,
        #"{"user_email": "a@b", "seed_name": "x", "folder_name": "a/b"}"#,
        #"{"user_email": "a@b", "seed_name": "x", "folder_name": "a\\b"}"#,
        #"{"user_email": "a@b", "seed_name": "x", "folder_name": "a\tb"}"#,
        #"{"user_email": "a@b", "seed_name": "x", "folder_name": "  "}"#,
        #"{"user_email": "a@b", "seed_name": "x", "folder_name": ""}"#,
        #"{"user_email": "a@b", "seed_name": "x", "description": 3}"#,
        #"{"user_email": "a@b", "seed_name": "x", "images": []}"#,
        #"{"user_email": "a@b", "seed_name": "x", "images": {"f.png": 3}}"#,
        #"{"user_email": "a@b", "seed_name": "x", "images": {"a/f.png": {}}}"#,
        #"{"user_email": "a@b", "seed_name": "x", "images": {"f.png": {"colour": 1}}}"#,
        #"{"user_email": "a@b", "seed_name": "x", "images": {"f.png": {"seed_name": "y", "seed_id": "\#(uuid)"}}}"#,
        #"{"user_email": "a@b", "seed_name": "x", "images": {"f.png": {"zoom_level": 0}}}"#,
        // Nesting: metadata.json needs three levels, so anything deeper is
        // in a field the schema refuses too, whatever the depth limit.
        #"{"user_email": "a@b", "seed_name": "x", "images": {"f.png": {"description": [[["deep"]]]}}}"#,
        #"{"user_email": "a@b", "seed_name": "x", "zoom_level": "#
            + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}",
        // Control characters other than NUL are text like any other.
        #"{"user_email": "a@b", "seed_name": "x", "description": "tab\tand\u0001"}"#,
        #"{"user_email": "a@b", "seed_name": "x", "folder_name": "a\u0000b"}"#,
    ]

    /// Documents the code refuses and the JSON Schema accepts, on purpose:
    /// rules a schema cannot state, because it judges the value a parser
    /// made of the text, not the text.
    static let strictlyByTheCode: [(document: String, reason: String)] = [
        (
            #"{"user_email": "a@b", "seed_name": "x", "seed_name": "y"}"#,
            "a key given twice: Python's json (and so jsonschema) keeps the last value, Foundation's decoder and other "
                + "readers the first; the file means different things to different programs, so the agent refuses it"
        ),
        (
            #"{"user_email": "a@b", "seed_name": "x", "images": {"f.png": {"nb_seeds": 1, "nb_seeds": 2}}}"#,
            "a key given twice inside an images entry, for the same reason"
        ),
        (
            #"{"user_email": "a@b", "seed_name": "x", "description": "lot\u00007"}"#,
            "a NUL character is valid JSON text, but PostgreSQL's text and jsonb cannot store it: every picture would fail"
        ),
        (
            #"{"user_email": "a@b", "seed_name": "x", "images": {"f.png": {"description": "\u0000"}}}"#,
            "a NUL character in an images entry, for the same reason"
        ),
    ]

    @Test func theSchemaAndTheCodeGiveTheSameVerdictOnEveryDocument() async throws {
        let schema = Self.repository.appendingPathComponent("examples/metadata.schema.json").path
        let verdicts = try await Self.schemaVerdicts(schema: schema, documents: Self.documents)
        #expect(verdicts.count == Self.documents.count)
        var accepted = 0
        for (document, schemaAccepts) in zip(Self.documents, verdicts) {
            let codeAccepts = (try? SetMetadata.parse(Data(document.utf8))) != nil
            #expect(
                codeAccepts == schemaAccepts,
                "\(document.prefix(200)): schema \(schemaAccepts ? "accepts" : "rejects"), code \(codeAccepts ? "accepts" : "rejects")")
            if schemaAccepts { accepted += 1 }
        }
        #expect(accepted == 8, "the corpus exercises both verdicts")
    }

    @Test func whereTheCodeIsStricterTheSchemaStillAcceptsAndTheCodeSaysWhy() async throws {
        let schema = Self.repository.appendingPathComponent("examples/metadata.schema.json").path
        let documents = Self.strictlyByTheCode.map(\.document)
        let verdicts = try await Self.schemaVerdicts(schema: schema, documents: documents)
        #expect(verdicts == documents.map { _ in true }, "the schema accepts each: it cannot see these rules")
        for (document, reason) in Self.strictlyByTheCode {
            do {
                _ = try SetMetadata.parse(Data(document.utf8))
                Issue.record("the code accepts \(document), though \(reason)")
            } catch {
                #expect(error.description.contains("given twice") || error.description.contains("NUL character"), "\(error)")
            }
        }
    }

    @Test func theExampleMetadataFilesParse() throws {
        let drop = Self.repository.appendingPathComponent("examples/drop")
        for folder in ["canola-2026-11-03", "thistle-batch-7", "bromus-typo"] {
            let data = try Data(contentsOf: drop.appendingPathComponent(folder).appendingPathComponent("metadata.json"))
            #expect(throws: Never.self) { _ = try SetMetadata.parse(data) }
        }
    }

    /// Asks Python's `jsonschema` whether each document is valid.
    static func schemaVerdicts(schema: String, documents: [String]) async throws -> [Bool] {
        // Each document goes as base64, its text exactly as written (keys
        // given twice, escapes, deep nesting); a text Python cannot parse
        // (too deep for its recursion) counts as refused.
        let script = """
            import base64, json, sys
            from jsonschema import Draft202012Validator
            validator = Draft202012Validator(json.load(open(sys.argv[1])))
            for line in sys.stdin:
                try:
                    document = json.loads(base64.b64decode(line))
                except (ValueError, RecursionError):
                    print("invalid")
                    continue
                print("valid" if validator.is_valid(document) else "invalid")
            """
        let lines = documents.map { Data($0.utf8).base64EncodedString() }
        let result = try await TestPython.run(["-c", script, schema], input: lines.joined(separator: "\n") + "\n")
        guard result.status == 0 else {
            throw SchemaCheckError("Python with jsonschema failed (exit \(result.status)): \(result.output); run packaging/dev-setup.sh")
        }
        return result.output.split(separator: "\n").map { $0 == "valid" }
    }

    struct SchemaCheckError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
