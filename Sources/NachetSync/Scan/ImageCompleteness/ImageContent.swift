import Glibc

/// What a file's bytes are, judged before they are stored: an image of a
/// format nachet-sync stores (``ImageFormat``) and whole
/// (``ImageCompleteness``), an image not finished yet, or no image at all.
///
/// Nachet's own mass import opens every image before storing it; pictures
/// feed AI training, so a text file named `.png`, zeros or a cut PNG must
/// never become one. The agent judges each file before it is read to be
/// stored, `serve` each upload before it is stored, with the same checks,
/// in the same bounded time and memory as ``ImageCompleteness``.
package enum ImageContent {
    /// The judgement.
    package enum Verdict: Sendable, Equatable {
        /// A whole image of `format`.
        case image(ImageFormat)
        /// The start of an image, or of a copy, whose end is not there yet
        /// (or was lost): empty, zeros where a copy reserved the size, a
        /// format's end missing. ``ImageCompleteness`` says what.
        case unfinished(String)
        /// Bytes of no format stored; says what they begin with.
        case notAnImage(String)

        /// What is wrong, `nil` for a whole image.
        package var problem: String? {
            switch self {
            case .image: nil
            case .unfinished(let problem), .notAnImage(let problem): problem
            }
        }
    }

    /// Judges the open file `descriptor` of `size` bytes (as the caller
    /// listed it), with `pread` only: its offset is left as it was.
    package static func verdict(descriptor: Int32, size: Int64) -> Verdict {
        verdict(of: DescriptorImageBytes(descriptor: descriptor, size: max(0, size)))
    }

    /// Judges bytes in memory where they are (an upload's buffer), without
    /// a copy.
    package static func verdict(bytes: UnsafeRawBufferPointer) -> Verdict {
        verdict(of: BorrowedImageBytes(buffer: bytes))
    }

    /// Judges a whole file's content: for tests and fuzzers.
    package static func verdict(bytes: [UInt8]) -> Verdict {
        bytes.withUnsafeBytes { verdict(bytes: $0) }
    }

    static func verdict<Source: ImageBytes>(of source: Source) -> Verdict {
        guard source.size > 0 else { return .unfinished("the file is empty") }
        let head = ImageCompleteness.head(of: source)
        guard !head.isEmpty else { return .unfinished("nothing of it can be read: it was emptied or cut since it was listed") }
        if let unfinished = ImageCompleteness.unfinished(head: head, size: source.size) { return .unfinished(unfinished) }
        guard let format = ImageFormat(head: head) else { return .notAnImage(describe(head)) }
        if let problem = ImageCompleteness.problem(in: source) { return .unfinished(problem) }
        return .image(format)
    }

    /// What bytes that are no image begin with, for a person to recognise
    /// the file: its first words when they are text, else its first bytes.
    static func describe(_ head: [UInt8]) -> String {
        let shown = head.prefix(16)
        let isText = shown.allSatisfy { (0x20..<0x7F).contains($0) || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        if isText {
            let words = String(decoding: shown.map { $0 < 0x20 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            return "its bytes are no \(ImageFormat.listed) image: it begins with the text \"\(words)\(head.count > shown.count ? "…" : "")\""
        }
        let hex = shown.prefix(8).map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }
        return "its bytes are no \(ImageFormat.listed) image: it begins with the bytes \(hex.joined(separator: " "))"
    }
}
