import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// `examples/metadata.schema.json` and ``SetMetadata/parse(_:)`` must accept
/// and reject the same documents. Python's `jsonschema` (installed by
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
                "\(document): schema \(schemaAccepts ? "accepts" : "rejects"), code \(codeAccepts ? "accepts" : "rejects")")
            if schemaAccepts { accepted += 1 }
        }
        #expect(accepted == 7, "the corpus exercises both verdicts")
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
        let script = """
            import json, sys
            from jsonschema import Draft202012Validator
            validator = Draft202012Validator(json.load(open(sys.argv[1])))
            for line in sys.stdin:
                print("valid" if validator.is_valid(json.loads(line)) else "invalid")
            """
        let lines = try documents.map { document -> String in
            let object = try JSONSerialization.jsonObject(with: Data(document.utf8), options: [.fragmentsAllowed])
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed]), as: UTF8.self)
        }
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
