import Foundation

extension SetMetadata {
    /// The fields allowed at the top level of `metadata.json`.
    static let topLevelFields = [
        "user_email", "user_id", "seed_name", "seed_id", "zoom_level", "nb_seeds",
        "folder_name", "description", "images", "append_to_set",
    ]
    /// The fields allowed in an entry of `images`.
    static let imageFields = ["seed_name", "seed_id", "zoom_level", "nb_seeds", "description"]

    /// The most bytes a `metadata.json` may hold (1 MiB); one is normally a
    /// few hundred bytes.
    package static let maximumFileSize = 1 << 20

    /// The most problems listed for one file; the rest are counted.
    static let problemLimit = 20

    /// Parses and checks `metadata.json`, reporting every mistake at once.
    ///
    /// The checks are those of `examples/metadata.schema.json`, and two more
    /// the schema cannot state: a key given twice in one object (readers
    /// disagree on which value counts) and a NUL character in a string
    /// (PostgreSQL cannot store it). Whether the user and seeds exist is
    /// checked later, against the catalogue. Time and memory are bounded by
    /// the file's size, which may be at most ``maximumFileSize``.
    /// - Throws: ``MetadataProblems`` listing each mistake with its fix.
    package static func parse(_ data: Data) throws(MetadataProblems) -> SetMetadata {
        guard data.count <= maximumFileSize else { throw MetadataProblems([tooLargeProblem(size: Int64(data.count))]) }
        let document: JSONDocument
        do {
            document = try JSONParser.parse([UInt8](data))
        } catch {
            throw MetadataProblems([syntaxProblem(error, data: data)])
        }
        guard case .object(let fields) = document.value else {
            throw MetadataProblems([
                MetadataProblem(
                    field: nil,
                    message: "the file holds \(document.value.summary), not a JSON object",
                    fix: "write an object such as {\"user_email\": \"tech@lab.example\", \"seed_name\": \"Brassica napus\"}"
                )
            ])
        }
        var reader = FieldReader(fields: fields, path: "")
        reader.rejectUnknownFields(allowed: topLevelFields)
        let user = reader.userReference()
        let pictures = reader.pictureFields(seedRequired: true)
        let folderName = reader.folderName()
        let images = reader.imageOverrides()
        let appendsToSet = reader.appendsToSet()
        let problems = documentProblems(document) + reader.problems
        guard problems.isEmpty, let user, let pictures else { throw MetadataProblems(limited(problems, document: document)) }
        return SetMetadata(user: user, pictures: pictures, folderName: folderName, images: images, appendsToSet: appendsToSet)
    }

    /// The problem of a `metadata.json` over ``maximumFileSize``.
    static func tooLargeProblem(size: Int64) -> MetadataProblem {
        MetadataProblem(
            field: nil,
            message: "it is \(size) bytes, more than a metadata.json may hold (1 MiB, \(maximumFileSize) bytes)",
            fix: "keep only the set's details in it, a few hundred bytes (see examples/metadata.schema.json)"
        )
    }

    /// Keys given twice and strings holding NUL, which a JSON value
    /// cannot show.
    private static func documentProblems(_ document: JSONDocument) -> [MetadataProblem] {
        var problems = document.duplicateKeys.map { duplicate in
            MetadataProblem(
                field: duplicate.path,
                message: "given twice (\(duplicate.first) and \(duplicate.again)); programs disagree on which value counts",
                fix: "keep only one of them"
            )
        }
        if document.moreDuplicateKeys > 0 {
            problems.append(
                MetadataProblem(
                    field: nil, message: "\(document.moreDuplicateKeys) more keys are given twice", fix: "keep only one of each"))
        }
        problems += document.stringsWithNUL.map { path in
            MetadataProblem(
                field: path.isEmpty ? nil : path, message: "contains a NUL character (\\u0000); remove it",
                fix: "PostgreSQL cannot store it")
        }
        if document.moreStringsWithNUL > 0 {
            problems.append(
                MetadataProblem(
                    field: nil, message: "\(document.moreStringsWithNUL) more texts contain a NUL character (\\u0000)",
                    fix: "remove them; PostgreSQL cannot store them"))
        }
        return problems
    }

    /// The problems to report: one per field for a field holding NUL (its
    /// other problems follow from it), and at most ``problemLimit``.
    private static func limited(_ problems: [MetadataProblem], document: JSONDocument) -> [MetadataProblem] {
        let fieldsWithNUL = Set(document.stringsWithNUL)
        var kept: [MetadataProblem] = []
        for problem in problems {
            if let field = problem.field, fieldsWithNUL.contains(field), !problem.message.contains("NUL") { continue }
            kept.append(problem)
        }
        guard kept.count > problemLimit else { return kept }
        let more = kept.count - problemLimit
        return Array(kept.prefix(problemLimit)) + [
            MetadataProblem(field: nil, message: "\(more) more problems", fix: "fix those above first, then look again")
        ]
    }

    private static func syntaxProblem(_ error: JSONParseError, data: Data) -> MetadataProblem {
        let fix = "correct the syntax: keys and texts in double quotes, commas between fields, braces closed"
        switch error.kind {
        case .endsEarly:
            let text = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
            if text.allSatisfy({ [0x20, 0x0a, 0x0d, 0x09].contains($0) }) {
                return MetadataProblem(
                    field: nil,
                    message: "the file is empty",
                    fix: "write the set's details in it (see examples/metadata.schema.json), or remove it until they are known"
                )
            }
            return MetadataProblem(
                field: nil, message: "it is not valid JSON (the file ends too early: a closing brace or quote is missing)", fix: fix)
        case .syntax(let reason):
            return MetadataProblem(field: nil, message: "it is not valid JSON (near \(error.position)): \(reason)", fix: fix)
        case .tooDeep:
            return MetadataProblem(
                field: nil,
                message: "it nests lists or objects more than \(JSONParser.maximumDepth) deep (near \(error.position))",
                fix: "a metadata.json needs three levels at most: {\"user_email\": …, \"images\": {\"IMG_0007.tif\": {\"nb_seeds\": 3}}}"
            )
        }
    }
}

/// Reads the fields of one JSON object, collecting a problem for each mistake.
private struct FieldReader {
    var fields: [String: JSONValue]
    /// The object's path in the document, empty at the top level.
    var path: String
    var problems: [MetadataProblem] = []

    init(fields: [String: JSONValue], path: String) {
        self.fields = fields
        self.path = path
    }

    func fieldPath(_ name: String) -> String {
        let shown = JSONDocument.displayed(name)
        return path.isEmpty ? shown : path + "." + shown
    }

    mutating func report(_ name: String, _ message: String, fix: String) {
        problems.append(MetadataProblem(field: fieldPath(name), message: message, fix: fix))
    }

    mutating func rejectUnknownFields(allowed: [String]) {
        for name in fields.keys.sorted() where !allowed.contains(name) {
            // Past the problems a report lists, a suggestion would not be read.
            let suggestion =
                problems.count < SetMetadata.problemLimit ? NameSuggestions.closest(to: name, among: allowed, limit: 1).first : nil
            report(
                name,
                "unknown field",
                fix: suggestion.map { "did you mean \"\($0)\"? Rename it" }
                    ?? "remove it; allowed fields are \(allowed.joined(separator: ", "))"
            )
        }
    }

    mutating func userReference() -> SetMetadata.UserReference? {
        switch (fields["user_email"], fields["user_id"]) {
        case (nil, nil):
            report(
                "user_email",
                "missing: the set needs an owner",
                fix: "add \"user_email\": \"<the technician's Nachet e-mail>\" (or \"user_id\")"
            )
            return nil
        case (.some, .some):
            report("user_id", "given together with user_email", fix: "keep only one of user_email and user_id")
            return nil
        case (.some(let value), nil):
            guard case .string(let email) = value else {
                report("user_email", "must be text, found \(value.summary)", fix: "write it in double quotes")
                return nil
            }
            let trimmed = email.trimmingCharacters(in: .whitespaces)
            let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !trimmed.contains(" "), trimmed.count <= 255 else {
                report(
                    "user_email", "\"\(email)\" is not an e-mail address",
                    fix: "write the address the technician is registered with in Nachet")
                return nil
            }
            return .email(trimmed)
        case (nil, .some(let value)):
            return uuid("user_id", value).map(SetMetadata.UserReference.id)
        }
    }

    mutating func pictureFields(seedRequired: Bool) -> SetMetadata.PictureFields? {
        var result = SetMetadata.PictureFields()
        var valid = true
        switch (fields["seed_name"], fields["seed_id"]) {
        case (nil, nil):
            if seedRequired {
                report(
                    "seed_name", "missing: the pictures need a seed",
                    fix: "add \"seed_name\": \"<a name from `nachet-sync seeds`>\" (or \"seed_id\")")
                valid = false
            }
        case (.some, .some):
            report("seed_id", "given together with seed_name", fix: "keep only one of seed_name and seed_id")
            valid = false
        case (.some(let value), nil):
            if case .string(let name) = value, !name.trimmingCharacters(in: .whitespaces).isEmpty {
                result.seed = .name(name.trimmingCharacters(in: .whitespaces))
            } else {
                report(
                    "seed_name", "must be a seed name, found \(value.summary)",
                    fix: "write a name from `nachet-sync seeds`, in double quotes")
                valid = false
            }
        case (nil, .some(let value)):
            if let id = uuid("seed_id", value) { result.seed = .id(id) } else { valid = false }
        }
        if let value = fields["zoom_level"] {
            if case .number(let zoom) = value, zoom > 0, zoom.isFinite {
                result.zoomLevel = zoom
            } else {
                report(
                    "zoom_level", "must be a number greater than 0, found \(value.summary)",
                    fix: "write the magnification as a plain number, e.g. 1.5")
                valid = false
            }
        }
        if let value = fields["nb_seeds"] {
            if case .number(let count) = value, count >= 0, count.rounded() == count, count < Double(Int32.max) {
                result.seedCount = Int(count)
            } else {
                report(
                    "nb_seeds", "must be a whole number of seeds (0 or more), found \(value.summary)",
                    fix: "write the count as a plain whole number, e.g. 10")
                valid = false
            }
        }
        if let value = fields["description"] {
            if case .string(let text) = value, text.count <= 10_000 {
                result.description = text
            } else {
                report("description", "must be text of at most 10,000 characters, found \(value.summary)", fix: "write it in double quotes")
                valid = false
            }
        }
        return valid ? result : nil
    }

    mutating func folderName() -> String? {
        guard let value = fields["folder_name"] else { return nil }
        guard case .string(let name) = value else {
            report(
                "folder_name", "must be text, found \(value.summary)",
                fix: "write it in double quotes, or remove it to use the subfolder's name")
            return nil
        }
        if let reason = FolderName.problem(with: name) {
            report("folder_name", "\"\(JSONDocument.displayed(name))\" \(reason)", fix: FolderName.rule)
            return nil
        }
        return FolderName.normalized(name)
    }

    mutating func appendsToSet() -> Bool {
        guard let value = fields["append_to_set"] else { return false }
        guard case .bool(let appends) = value else {
            report("append_to_set", "must be true or false, found \(value.summary)", fix: "write true (without quotes), or remove it")
            return false
        }
        return appends
    }

    mutating func imageOverrides() -> [String: SetMetadata.PictureFields] {
        guard let value = fields["images"] else { return [:] }
        guard case .object(let entries) = value else {
            report(
                "images", "must be an object keyed by file name, found \(value.summary)", fix: "write {\"IMG_0007.tif\": {\"nb_seeds\": 3}}"
            )
            return [:]
        }
        var overrides: [String: SetMetadata.PictureFields] = [:]
        for (name, entry) in entries.sorted(by: { $0.key < $1.key }) {
            let entryPath = fieldPath("images") + "." + JSONDocument.displayed(name)
            guard !name.isEmpty, !name.contains("/") else {
                problems.append(
                    MetadataProblem(
                        field: entryPath, message: "is not a file name", fix: "use the image's file name alone, without folders"))
                continue
            }
            guard case .object(let imageFields) = entry else {
                problems.append(
                    MetadataProblem(
                        field: entryPath, message: "must be an object, found \(entry.summary)",
                        fix: "write {\"seed_name\": …, \"nb_seeds\": …}"))
                continue
            }
            var reader = FieldReader(fields: imageFields, path: entryPath)
            reader.rejectUnknownFields(allowed: SetMetadata.imageFields)
            let fields = reader.pictureFields(seedRequired: false)
            problems += reader.problems
            if let fields { overrides[name] = fields }
        }
        return overrides
    }

    mutating func uuid(_ name: String, _ value: JSONValue) -> UUID? {
        if case .string(let text) = value, let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) {
            return id
        }
        report(
            name, "must be a UUID such as \"3f1c2b8e-…\", found \(value.summary)", fix: "copy the id exactly, or use the name field instead"
        )
        return nil
    }
}
