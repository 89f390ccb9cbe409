//! Escaping text for the markup we write by hand: HTML pages of `medrd serve` (entity pages,
//! the explorer) and the SVG of the timeline chart share one escaper, and the pages one way
//! of putting a slug into a link's path.

/// Escapes text for element content and quoted attribute values of HTML, XML and SVG:
/// `& < > " '` become references, and control characters that XML 1.0 forbids (all below
/// U+0020 but tab and newline) are dropped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = write_escaped(&mut out, s);
    out
}

fn write_escaped<W: std::fmt::Write>(mut out: W, s: &str) -> std::fmt::Result {
    let mut rest = s;
    while let Some(i) =
        rest.find(|c: char| matches!(c, '&' | '<' | '>' | '"' | '\'') || is_forbidden(c))
    {
        out.write_str(&rest[..i])?;
        let c = rest[i..].chars().next().unwrap_or_default();
        out.write_str(match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            _ => "",
        })?;
        rest = &rest[i + c.len_utf8()..];
    }
    out.write_str(rest)
}

/// Whether XML 1.0 forbids `c` in a document (a control character below U+0020 but tab and
/// newline; carriage return is dropped too, as a line ends with newline alone).
pub(crate) fn is_forbidden(c: char) -> bool {
    (c as u32) < 0x20 && c != '\n' && c != '\t'
}

/// [`escape`] as the escaper of the explorer's askama templates (src/serve/explorer/askama.toml):
/// a template's `{{ value }}` is escaped as the rest of our markup is.
#[derive(Clone, Copy, Debug, Default)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: std::fmt::Write>(&self, dest: W, string: &str) -> std::fmt::Result {
        write_escaped(dest, string)
    }
}

/// Percent-encodes text as one segment of a URL path: everything but ASCII letters, digits
/// and `*-._` is escaped, a space as `%20` (not `+`, which a path reads as a plus sign).
/// Slugs come from our data and are ASCII already; links are escaped all the same.
pub fn path_segment(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .map(|piece| if piece == "+" { "%20" } else { piece })
        .collect()
}

/// The one rule for what may become the target of a link or a resource (`href`, `src`,
/// `action`, `xlink:href`, a DOT `URL`) in what we write: an absolute `http:` or `https:`
/// URL (scheme in any case, then `//` and a host), or a path of this server (`/…`, but not
/// `//…` or `/\…`, which a browser reads as another host). Everything else is refused —
/// `javascript:`, `data:`, `vbscript:`, `blob:`, a relative reference, and any text with
/// whitespace, control characters or a backslash, which browsers strip or rewrite before
/// they read the scheme (`java\tscript:`, ` javascript:`) — and the caller shows it as
/// text. IRIs come from data (`--with` files, query results): only this check stands
/// between them and a link that runs script (issue 19, item 5).
pub fn link_target(url: &str) -> Option<&str> {
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return None;
    }
    let b = url.as_bytes();
    let after_scheme = if b.len() > 8 && b[..8].eq_ignore_ascii_case(b"https://") {
        &url[8..]
    } else if b.len() > 7 && b[..7].eq_ignore_ascii_case(b"http://") {
        &url[7..]
    } else if b.first() == Some(&b'/') && b.get(1) != Some(&b'/') {
        return Some(url);
    } else {
        return None;
    };
    // A host must follow (`http:///x` and `https://?` name none).
    (!after_scheme.starts_with(['/', '?', '#'])).then_some(url)
}

/// A link to `url` with `text` (both escaped) when [`link_target`] lets `url` be a link;
/// else `text` alone, escaped.
pub fn anchor(url: &str, text: &str) -> String {
    match link_target(url) {
        Some(url) => format!("<a href=\"{}\">{}</a>", escape(url), escape(text)),
        None => escape(text),
    }
}

#[cfg(test)]
mod tests {
    use super::{anchor, link_target};

    /// Issue 19, item 5: only http(s) URLs and this server's paths become links.
    #[test]
    fn only_http_urls_and_our_paths_become_links() {
        for ok in [
            "https://w3id.org/medrd-kg/id/program/x",
            "HTTP://example.org",
            "http://127.0.0.1:7878/",
            "/id/program/dementia-rd",
            "/explore/search?q=%E8%AA%8D&lang=en",
            "/",
        ] {
            assert_eq!(link_target(ok), Some(ok), "{ok}");
        }
        for refused in [
            "javascript:void(document.title=document.domain)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{0}javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "blob:https://x/1",
            "//evil.example/",
            "/\\evil.example/",
            "/\t/evil.example/",
            "https:evil.example",
            "https:///path",
            "http://",
            "urn:isbn:123",
            "mailto:a@b",
            "relative/path",
            "",
        ] {
            assert_eq!(link_target(refused), None, "{refused:?}");
        }
        assert_eq!(
            anchor("https://a.example/?x=1&y=\"2\"", "a<b"),
            "<a href=\"https://a.example/?x=1&amp;y=&quot;2&quot;\">a&lt;b</a>"
        );
        assert_eq!(anchor("javascript:alert(1)", "x<y"), "x&lt;y");
    }

    #[test]
    fn a_path_segment_escapes_all_but_unreserved_ascii() {
        assert_eq!(
            super::path_segment("medical-device_2.x"),
            "medical-device_2.x"
        );
        assert_eq!(super::path_segment("a b+c/d?e#"), "a%20b%2Bc%2Fd%3Fe%23");
        assert_eq!(super::path_segment("認知症"), "%E8%AA%8D%E7%9F%A5%E7%97%87");
    }

    #[test]
    fn escapes_markup_and_drops_forbidden_controls() {
        assert_eq!(
            super::escape("a<b & \"c\" 'd'\u{1}\n"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;\n"
        );
    }
}
