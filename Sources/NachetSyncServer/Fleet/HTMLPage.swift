import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NachetSync

/// An HTML page written piece by piece, server-side, with no script: the
/// page's own markup is static text (`StaticString`), and everything else —
/// names, folders and reasons a PC sent — goes through ``text(_:)`` or an
/// attribute's value, escaped (``MarkupText``). The answer forbids scripts
/// and framing besides (``response(status:)``).
struct HTMLPage {
    private(set) var html: String

    /// Starts a page titled `title`, reloading itself every `refresh`
    /// seconds when given.
    init(title: String, refresh: Int?) {
        html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        if let refresh { html += "<meta http-equiv=\"refresh\" content=\"\(refresh)\">" }
        html += "<title>"
        MarkupText.append(title, to: &html)
        html += "</title><style>\(Self.style)</style></head><body>\n"
    }

    /// The page's own markup, as written.
    mutating func raw(_ markup: StaticString) {
        html += markup.description
    }

    /// Text, escaped.
    mutating func text(_ value: String) {
        MarkupText.append(value, to: &html)
    }

    /// `<tag attribute="value"…>`, each value escaped.
    mutating func open(_ tag: StaticString, _ attributes: KeyValuePairs<StaticString, String> = [:]) {
        html += "<\(tag)"
        for (name, value) in attributes {
            html += " \(name)=\""
            MarkupText.append(value, to: &html)
            html += "\""
        }
        html += ">"
    }

    /// `</tag>`.
    mutating func close(_ tag: StaticString) {
        html += "</\(tag)>"
    }

    /// `<tag attributes…>text</tag>`.
    mutating func element(_ tag: StaticString, _ attributes: KeyValuePairs<StaticString, String> = [:], _ value: String) {
        open(tag, attributes)
        text(value)
        close(tag)
    }

    /// The finished page as an answer: no script may run, no other site may
    /// frame it, nothing is cached (it holds the fleet's state).
    func response(status: HTTPResponse.Status = .ok) -> Response {
        let fields: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .contentSecurityPolicy:
                "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; form-action 'none'",
            .xContentTypeOptions: "nosniff",
            .cacheControl: "no-store",
            .referrerPolicy: "no-referrer",
        ]
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: html + "</body></html>\n")))
    }

    /// The pages' one style sheet: lights, tables, nothing more.
    private static let style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem;color:#1f2328;background:#fff}\
        h1{font-size:1.4rem;margin:0 0 .5rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}\
        table{border-collapse:collapse;width:100%;font-size:.875rem}\
        th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #d0d7de;vertical-align:top}\
        th{background:#f6f8fa;white-space:nowrap}th a{color:inherit}\
        td.num,th.num{text-align:right;white-space:nowrap}td.when,td.name,td.host{white-space:nowrap}\
        .light{display:inline-block;min-width:3.2rem;padding:.1rem .5rem;border-radius:1rem;font-weight:600;text-align:center;color:#fff}\
        .light.green{background:#1a7f37}.light.amber{background:#9a6700}.light.red{background:#cf222e}\
        tr.red td{background:#ffebe9}tr.amber td{background:#fff8c5}\
        .why{color:#57606a}.summary{color:#57606a;margin:0 0 1rem}\
        table.facts{width:auto}table.facts th{text-align:right;background:none}\
        code{font-size:.85em}
        """
}

extension HTTPField.Name {
    /// Whether the page's address is sent to the sites it links to.
    static let referrerPolicy = known("Referrer-Policy")
}
