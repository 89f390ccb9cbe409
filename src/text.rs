//! How text from input is shown to people: names with their control characters escaped (so
//! that no file name or ZIP entry can drive the terminal), paths, and numbers with thousands
//! separators. The lowest floor: errors, inputs and outputs all print through it.

use std::borrow::Cow;
use std::path::Path;

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls, DEL, and the
/// bidirectional overrides that reorder what is shown.
fn is_hidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every control character (and bidirectional override) written as `\x1b`,
/// `\n`, `\u{202e}`…, for messages that print a name from input.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_hidden(c) && (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if is_hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`escape`] of everything but line breaks: for a whole message, whose own lines stay lines.
pub fn escape_message(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_hidden(c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.split('\n').map(escape).collect::<Vec<_>>().join("\n"))
}

/// A path as messages print it: lossy UTF-8, control characters escaped.
pub fn shown(path: &Path) -> String {
    escape(&path.to_string_lossy()).into_owned()
}

/// An integer with a comma between each group of three digits: `-1,234,567`.
pub fn thousands(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() * 4 / 3 + 1);
    if v < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_input_cannot_drive_the_terminal() {
        assert_eq!(escape("予算.csv"), "予算.csv");
        assert_eq!(escape("a\x1b[31mb\nc"), "a\\x1b[31mb\\nc");
        assert_eq!(escape("x\u{9b}y\u{202e}"), "x\\u{9b}y\\u{202e}");
        assert_eq!(escape_message("one\ntwo\x07"), "one\ntwo\\x07");
        assert_eq!(thousands(-1234567), "-1,234,567");
    }
}
