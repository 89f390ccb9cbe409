//! Escaping text for the markup we write by hand: HTML pages of `medrd serve` (entity pages,
//! the explorer) and the SVG of the timeline chart share one escaper, and the pages one way
//! of putting a slug into a link's path.

/// Escapes text for element content and quoted attribute values of HTML, XML and SVG:
/// `& < > " '` become references, and control characters that XML 1.0 forbids (all below
/// U+0020 but tab and newline) are dropped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes text as one segment of a URL path: everything but ASCII letters, digits
/// and `*-._` is escaped, a space as `%20` (not `+`, which a path reads as a plus sign).
/// Slugs come from our data and are ASCII already; links are escaped all the same.
pub fn path_segment(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .map(|piece| if piece == "+" { "%20" } else { piece })
        .collect()
}

#[cfg(test)]
mod tests {
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
