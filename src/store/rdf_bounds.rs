//! Bounds on RDF read from files (`--with`, `ontology/`) and from remote endpoints, applied
//! to the bytes on their way into oxigraph's parsers, and the line of a token too long for a
//! parser's buffer (issue 19, items 1 and 4).
//!
//! What was measured (debug build, 100,000 levels, tests in `tests/suite/cli.rs`): the
//! Turtle, TriG and RDF/XML parsers keep their nesting on a heap stack and need nothing;
//! JSON-LD does not: its JSON reader stops at 65,536 levels, but 60,000 nested node objects
//! took 6.4 GB and two minutes before being stopped, and 3,000 nested scoped contexts
//! overflowed the main thread's stack. RDF/XML expands entities at their declaration: an
//! 850-byte file of 8 levels of `<!ENTITY>` took 862 MiB. So:
//!
//! - JSON (JSON-LD) may nest at most [`MAX_JSON_NESTING`] levels (counted on the bytes,
//!   outside strings);
//! - the entities of an RDF/XML document may expand, declarations and references together,
//!   to at most [`ENTITY_ALLOWANCE`] bytes plus [`ENTITY_RATIO`] times the bytes read so far:
//!   namespace entities (`&owl;Thing`) stay far below it, a chain of declarations that
//!   multiplies its size at each level does not;
//! - a literal or IRI longer than the parsers' 16 MiB buffer is reported with the line where
//!   it starts (the parsers say only "Reached the buffer maximal size").

use crate::json::{JsonByte, JsonStrings};
use oxigraph::io::RdfFormat;
use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The deepest JSON nesting a JSON-LD document may have. Real documents nest a few levels;
/// at this depth a JSON-LD document of nested objects or scoped contexts parses within the
/// stack and memory of a small file (see `tests/suite/cli.rs`).
pub const MAX_JSON_NESTING: usize = 256;

/// The bytes an RDF/XML document's entities may expand to beyond [`ENTITY_RATIO`] times the
/// bytes read.
pub const ENTITY_ALLOWANCE: u64 = 1 << 20;

/// How many times its size an RDF/XML document's entities may expand to (beyond
/// [`ENTITY_ALLOWANCE`]).
pub const ENTITY_RATIO: u64 = 16;

/// The bytes a reader has passed on, shared with whoever reports the reader's errors.
#[derive(Clone, Debug, Default)]
pub struct Consumed(Arc<AtomicU64>);

impl Consumed {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The bytes of an RDF document in `format`, checked on the way: JSON-LD's nesting, RDF/XML's
/// entity expansion (other syntaxes pass unchanged). A limit passed is an I/O error of kind
/// `InvalidData` naming the limit and the line, which the parser passes on as its error.
pub fn guard<R: Read>(format: RdfFormat, inner: R) -> (Guarded<R>, Consumed) {
    let consumed = Consumed::default();
    let check = match format {
        RdfFormat::JsonLd { .. } => Check::Json(JsonNesting::default()),
        RdfFormat::RdfXml => Check::Xml(Entities::default()),
        _ => Check::None,
    };
    let guarded = Guarded {
        inner,
        consumed: consumed.clone(),
        line: 1,
        check,
    };
    (guarded, consumed)
}

/// A reader checked by [`guard`].
pub struct Guarded<R> {
    inner: R,
    consumed: Consumed,
    line: u64,
    check: Check,
}

enum Check {
    None,
    Json(JsonNesting),
    Xml(Entities),
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.consumed.0.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        for &b in &buf[..n] {
            let refused = match &mut self.check {
                Check::None => None,
                Check::Json(json) => json.byte(b),
                Check::Xml(xml) => xml.byte(b, total),
            };
            if let Some(message) = refused {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("line {}: {message}", self.line),
                ));
            }
            if b == b'\n' {
                self.line += 1;
            }
        }
        Ok(n)
    }
}

/// JSON nesting, outside strings.
#[derive(Default)]
struct JsonNesting {
    depth: usize,
    strings: JsonStrings,
}

impl JsonNesting {
    fn byte(&mut self, b: u8) -> Option<String> {
        if self.strings.step(b) != JsonByte::Outside {
            return None;
        }
        match b {
            b'{' | b'[' => {
                self.depth += 1;
                if self.depth > MAX_JSON_NESTING {
                    return Some(format!(
                        "the JSON nests deeper than the limit of {MAX_JSON_NESTING} levels"
                    ));
                }
            }
            b'}' | b']' => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        None
    }
}

/// The longest entity name or declaration followed; longer ones are not entities oxrdfxml
/// would expand (a declaration this long is refused as such).
const MAX_NAME: usize = 256;
const MAX_DECLARATION: usize = 64 << 10;
const ENTITY: &[u8] = b"<!ENTITY";

/// The expansion of an XML document's entities, as oxrdfxml performs it: each `<!ENTITY name
/// "value">` is expanded when declared (its references to the entities declared before it
/// replaced by their values), and each `&name;` afterwards by the declared value.
#[derive(Default)]
struct Entities {
    /// The expanded size of each entity declared so far.
    sizes: HashMap<Vec<u8>, u64>,
    /// How many bytes of `<!ENTITY` the last bytes matched.
    matched: usize,
    /// The text of the declaration being read, from `<!ENTITY`.
    declaration: Option<Vec<u8>>,
    /// The name of the `&…;` reference being read.
    reference: Option<Vec<u8>>,
    expanded: u64,
}

impl Entities {
    fn byte(&mut self, b: u8, read: u64) -> Option<String> {
        if let Some(declaration) = &mut self.declaration {
            declaration.push(b);
            if b == b'>' && declaration.iter().filter(|c| **c == b'"').count() % 2 == 0 {
                let declaration = self.declaration.take().unwrap_or_default();
                return self.declared(&declaration, read);
            }
            if declaration.len() > MAX_DECLARATION {
                return Some(format!(
                    "an XML entity declaration longer than {} KiB",
                    MAX_DECLARATION >> 10
                ));
            }
            return None;
        }
        self.matched = match (b == ENTITY[self.matched], b == ENTITY[0]) {
            (true, _) => self.matched + 1,
            (false, true) => 1,
            (false, false) => 0,
        };
        if self.matched == ENTITY.len() {
            self.matched = 0;
            self.declaration = Some(ENTITY.to_vec());
            self.reference = None;
            return None;
        }
        match (&mut self.reference, b) {
            (None, b'&') => self.reference = Some(Vec::new()),
            (Some(name), b';') => {
                let size = self.sizes.get(name.as_slice()).copied().unwrap_or(0);
                self.reference = None;
                return self.expand(size, read);
            }
            (Some(name), b) if name.len() < MAX_NAME && !b.is_ascii_whitespace() && b != b'<' => {
                name.push(b);
            }
            (Some(_), _) => self.reference = None,
            (None, _) => {}
        }
        None
    }

    /// A declaration `<!ENTITY name "value">` was read: its value's expanded size is recorded
    /// and counted. One oxrdfxml would refuse is ignored (oxrdfxml says what is wrong).
    fn declared(&mut self, declaration: &[u8], read: u64) -> Option<String> {
        let rest = declaration[ENTITY.len()..].trim_ascii_start();
        let name_end = rest
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(rest.len());
        let (name, rest) = rest.split_at(name_end);
        let value = rest.trim_ascii_start().strip_prefix(b"\"")?;
        let value = &value[..value.iter().position(|c| *c == b'"').unwrap_or(value.len())];
        let mut size = 0u64;
        let mut parts = value.split(|c| *c == b'&');
        size += parts.next().map_or(0, |p| p.len() as u64);
        for part in parts {
            match part.iter().position(|c| *c == b';') {
                Some(end) => {
                    let referenced = &part[..end];
                    size += self.sizes.get(referenced).copied().unwrap_or(4);
                    size += (part.len() - end - 1) as u64;
                }
                None => size += part.len() as u64 + 1,
            }
        }
        self.sizes.insert(name.to_vec(), size);
        self.expand(size, read)
    }

    fn expand(&mut self, size: u64, read: u64) -> Option<String> {
        self.expanded = self.expanded.saturating_add(size);
        let allowed = ENTITY_ALLOWANCE.saturating_add(read.saturating_mul(ENTITY_RATIO));
        (self.expanded > allowed).then(|| {
            format!(
                "the XML entities declared in this document expand to more than {} KiB \
                 after {read} bytes of it (the limit is {} KiB plus {ENTITY_RATIO} times the \
                 bytes read; entities nested in entities multiply)",
                self.expanded >> 10,
                ENTITY_ALLOWANCE >> 10
            )
        })
    }
}

/// The message of a parser's error on a document read through a [`guard`], with the line
/// where a token too long for the parser's buffer starts: oxigraph's parsers hold a token in
/// a buffer of at most 16 MiB and report only "Reached the buffer maximal size of N". The
/// buffer holds the N bytes from the start of the token (or of its line) when that happens,
/// so the token starts on the line of byte `consumed - N`, which `lines` counts (a second
/// reading of the document).
pub fn describe(
    e: &oxigraph::io::RdfParseError,
    consumed: u64,
    lines: impl FnOnce(u64) -> io::Result<u64>,
) -> String {
    let message = e.to_string();
    let Some(max) = buffer_limit(e) else {
        return message;
    };
    let start = consumed.saturating_sub(max);
    match lines(start) {
        Ok(newlines) => format!(
            "line {}: a literal or IRI longer than {} MiB starts on this line (the parser \
             holds at most {} MiB of one token)",
            newlines + 1,
            max >> 20,
            max >> 20
        ),
        Err(_) => message,
    }
}

/// The buffer size of a "Reached the buffer maximal size of N" error, if it is one.
fn buffer_limit(e: &oxigraph::io::RdfParseError) -> Option<u64> {
    let oxigraph::io::RdfParseError::Io(io) = e else {
        return None;
    };
    if io.kind() != io::ErrorKind::OutOfMemory {
        return None;
    }
    io.to_string()
        .strip_prefix("Reached the buffer maximal size of ")?
        .trim()
        .parse()
        .ok()
}

/// The newlines among the first `bytes` bytes of `reader`.
pub fn newlines_before(mut reader: impl Read, bytes: u64) -> io::Result<u64> {
    let mut buf = vec![0u8; 1 << 16];
    let (mut left, mut count) = (bytes, 0u64);
    while left > 0 {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let take = (n as u64).min(left) as usize;
        count += buf[..take].iter().filter(|b| **b == b'\n').count() as u64;
        left -= take as u64;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(format: RdfFormat, bytes: &[u8]) -> io::Result<Vec<u8>> {
        let (mut guarded, consumed) = guard(format, bytes);
        let mut out = Vec::new();
        // small reads, so that tokens straddle them
        let mut buf = [0u8; 7];
        loop {
            let n = guarded.read(&mut buf)?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        assert_eq!(consumed.get(), bytes.len() as u64);
        Ok(out)
    }

    #[test]
    fn json_nesting_is_bounded_outside_strings() {
        let json_ld = RdfFormat::JsonLd {
            profile: oxigraph::io::JsonLdProfileSet::empty(),
        };
        let deep = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        let ok = deep(MAX_JSON_NESTING);
        assert_eq!(read_all(json_ld, ok.as_bytes()).unwrap(), ok.as_bytes());
        let e = read_all(
            json_ld,
            format!("\n{}", deep(MAX_JSON_NESTING + 1)).as_bytes(),
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("line 2:"), "{e}");
        assert!(e.to_string().contains("256 levels"), "{e}");
        let strings = format!(
            "{{\"a\": \"{}\\\"{}\"}}",
            "[{".repeat(1000),
            "[".repeat(1000)
        );
        read_all(json_ld, strings.as_bytes()).unwrap();
        // other syntaxes pass as they are
        read_all(RdfFormat::Turtle, deep(10_000).as_bytes()).unwrap();
    }

    fn laughs(levels: usize) -> String {
        let mut doc = String::from(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY a0 \"aaaaaaaaaa\">\n",
        );
        for i in 1..=levels {
            doc += &format!(
                "<!ENTITY a{i} \"{}\">\n",
                format!("&a{};", i - 1).repeat(10)
            );
        }
        doc + &format!("]>\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"http://x/s\"><rdf:value>&a{levels};</rdf:value></rdf:Description></rdf:RDF>")
    }

    #[test]
    fn xml_entity_expansion_is_bounded_and_namespace_entities_pass() {
        // 8 levels: the 850-byte file of 862 MiB, refused at its declarations
        let e = read_all(RdfFormat::RdfXml, laughs(8).as_bytes()).unwrap_err();
        assert!(e.to_string().contains("expand to more than"), "{e}");
        assert!(e.to_string().starts_with("line "), "{e}");
        // 4 levels (100 KB) pass
        read_all(RdfFormat::RdfXml, laughs(4).as_bytes()).unwrap();
        // many references to a namespace entity pass; to a large one they do not
        let doc = |value: &str, uses: usize| {
            format!(
                "<!DOCTYPE rdf:RDF [<!ENTITY x \"{value}\">]><r>{}</r>",
                "<a b=\"&x;c\"/>".repeat(uses)
            )
        };
        read_all(
            RdfFormat::RdfXml,
            doc("http://www.w3.org/2002/07/owl#", 100_000).as_bytes(),
        )
        .unwrap();
        assert!(read_all(RdfFormat::RdfXml, doc(&"x".repeat(60_000), 1000).as_bytes()).is_err());
        // `&amp;` and character references are not entities of the document
        read_all(
            RdfFormat::RdfXml,
            "<r>&amp;&#x41;</r>".repeat(100_000).as_bytes(),
        )
        .unwrap();
    }

    #[test]
    fn lines_are_counted_for_long_tokens() {
        let text = b"a\nb\nc\nlong";
        assert_eq!(newlines_before(&text[..], 4).unwrap(), 2);
        assert_eq!(newlines_before(&text[..], 100).unwrap(), 3);
    }
}
