//! Compact JSON-LD: oxigraph's serialiser writes expanded JSON-LD (every property and every
//! IRI in full, no `@context`), which is correct but unreadable (the export was 21 MB). This
//! writer sits between it and the output and rewrites its text as it streams by: the whole is
//! wrapped in `{"@context": {prefixes}, "@graph": …}`, and each property name and each value
//! of `@id` and `@type` that starts with a namespace of [`crate::vocab::PREFIXES`] becomes a
//! compact IRI (`medrd:Program`, `id:program/dementia-rd`). Nothing else changes, so the
//! graph is the same: a JSON-LD processor expands the compact IRIs back through the context
//! (each prefix ends with `/` or `#`, so JSON-LD 1.1 takes it as a prefix). Memory is bounded
//! by the longest string it rewrites, which is an IRI or a property name.

use crate::json::{JsonByte, JsonStrings};
use std::io::{self, Write};

/// The longest string this writer holds to rewrite; a longer one passes as it is.
const MAX_HELD: usize = 64 << 10;
/// How much output the writer gathers before it writes to its inner writer (one rewritten
/// string more at most).
const BUFFER: usize = 64 << 10;

/// A writer of compact JSON-LD over one of expanded JSON-LD (see the module doc). Call
/// [`Compactor::finish`] after the serialiser has finished, to close the wrapper.
pub struct Compactor<W: Write> {
    out: W,
    /// What is written, gathered before it goes to `out`: the text goes through byte by byte,
    /// and a write to `out` per byte was most of the JSON-LD export's time.
    buffer: Vec<u8>,
    started: bool,
    /// Open containers: `true` for an object, `false` for an array.
    stack: Vec<bool>,
    /// In an object, the next string is a key.
    expect_key: bool,
    /// The value being read is of an `@id` or `@type` key.
    iri_value: bool,
    strings: JsonStrings,
    /// The string being held to rewrite (from its opening quote), if any.
    held: Option<Vec<u8>>,
    held_is_key: bool,
}

impl<W: Write> Compactor<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            buffer: Vec::with_capacity(BUFFER),
            started: false,
            stack: Vec::new(),
            expect_key: false,
            iri_value: false,
            strings: JsonStrings::default(),
            held: None,
            held_is_key: false,
        }
    }

    /// Closes the wrapper object and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        if !self.started {
            self.begin()?;
            self.buffer.extend_from_slice(b"[]");
        }
        if let Some(held) = self.held.take() {
            self.buffer.extend_from_slice(&held);
        }
        self.buffer.extend_from_slice(b"}\n");
        self.out.write_all(&self.buffer)?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn begin(&mut self) -> io::Result<()> {
        self.started = true;
        let context: serde_json::Map<String, serde_json::Value> = crate::vocab::PREFIXES
            .iter()
            .map(|(p, ns)| ((*p).to_owned(), serde_json::Value::String((*ns).to_owned())))
            .collect();
        let context = serde_json::Value::Object(context).to_string();
        write!(self.buffer, "{{\"@context\":{context},\"@graph\":")
    }

    fn byte(&mut self, b: u8) -> io::Result<()> {
        match self.strings.step(b) {
            JsonByte::Inside => return self.string_byte(b, false),
            JsonByte::Close => return self.string_byte(b, true),
            JsonByte::Open => {
                let in_object = self.stack.last() == Some(&true);
                if (in_object && self.expect_key) || self.iri_value {
                    self.held_is_key = in_object && self.expect_key;
                    self.held = Some(vec![b]);
                    return Ok(());
                }
            }
            JsonByte::Outside => self.structure(b),
        }
        self.buffer.push(b);
        Ok(())
    }

    /// Follows the containers, keys and values through a byte outside strings.
    fn structure(&mut self, b: u8) {
        match b {
            b'{' => {
                self.stack.push(true);
                self.expect_key = true;
                self.iri_value = false;
            }
            b'[' => self.stack.push(false),
            b'}' | b']' => {
                self.stack.pop();
                self.iri_value = false;
            }
            b',' => {
                self.expect_key = self.stack.last() == Some(&true);
                if self.expect_key {
                    self.iri_value = false;
                }
            }
            b':' => self.expect_key = false,
            _ => {}
        }
    }

    fn string_byte(&mut self, b: u8, closing: bool) -> io::Result<()> {
        let Some(held) = &mut self.held else {
            self.buffer.push(b);
            return Ok(());
        };
        held.push(b);
        if closing {
            let text = self.held.take().unwrap_or_default();
            let inner = &text[1..text.len() - 1];
            if self.held_is_key {
                self.iri_value = inner == b"@id" || inner == b"@type";
            }
            return match std::str::from_utf8(inner).ok().and_then(compact) {
                Some(short) => write!(self.buffer, "\"{short}\""),
                None => self.buffer.write_all(&text),
            };
        }
        if held.len() > MAX_HELD {
            let text = self.held.take().unwrap_or_default();
            self.buffer.extend_from_slice(&text);
        }
        Ok(())
    }
}

/// `body`, written by an oxigraph serialiser in `format`, compacted when `format` is JSON-LD
/// (the server's answers, which are small enough to be held whole: at most --max-results).
pub fn compact_body(format: oxigraph::io::RdfFormat, body: Vec<u8>) -> io::Result<Vec<u8>> {
    if !matches!(format, oxigraph::io::RdfFormat::JsonLd { .. }) {
        return Ok(body);
    }
    let mut c = Compactor::new(Vec::with_capacity(body.len()));
    c.write_all(&body)?;
    c.finish()
}

/// The compact IRI of an IRI under one of the prefixes, if any (and if the rest would not be
/// read as an authority).
fn compact(iri: &str) -> Option<String> {
    crate::vocab::PREFIXES.iter().find_map(|(p, ns)| {
        let rest = iri.strip_prefix(ns)?;
        (!rest.is_empty() && !rest.starts_with("//")).then(|| format!("{p}:{rest}"))
    })
}

impl<W: Write> Write for Compactor<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.started {
            self.begin()?;
        }
        for &b in buf {
            self.byte(b)?;
            if self.buffer.len() >= BUFFER {
                self.out.write_all(&self.buffer)?;
                self.buffer.clear();
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buffer)?;
        self.buffer.clear();
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfParser};

    const JSON_LD: RdfFormat = RdfFormat::JsonLd {
        profile: JsonLdProfileSet::empty(),
    };

    fn quads(text: &[u8]) -> Vec<String> {
        let mut q: Vec<String> = RdfParser::from_format(JSON_LD)
            .for_slice(text)
            .map(|q| q.unwrap().to_string())
            .collect();
        q.sort();
        q
    }

    #[test]
    fn the_compacted_text_holds_the_same_graph_in_short_names() {
        let expanded = r#"[{"@id":"https://w3id.org/medrd-kg/graph/x","@graph":[{"@id":"https://w3id.org/medrd-kg/id/program/dementia-rd","http://www.w3.org/1999/02/22-rdf-syntax-ns#type":[{"@id":"https://w3id.org/medrd-kg/ontology#Program"}],"http://www.w3.org/2000/01/rdf-schema#label":[{"@language":"ja","@value":"認知症 \"研究\" https://w3id.org/medrd-kg/ontology#x"}],"https://w3id.org/medrd-kg/ontology#okuYen":[{"@type":"http://www.w3.org/2001/XMLSchema#decimal","@value":"12.5"}],"https://example.org/p":[{"@id":"_:b0"}]}]}]"#
            .as_bytes();
        let mut out = Compactor::new(Vec::new());
        // in small pieces, so that strings straddle writes
        for piece in expanded.chunks(7) {
            out.write_all(piece).unwrap();
        }
        let compact = out.finish().unwrap();
        let text = String::from_utf8(compact.clone()).unwrap();
        assert!(text.starts_with("{\"@context\":{"), "{text}");
        assert!(
            text.contains("\"@id\":\"id:program/dementia-rd\""),
            "{text}"
        );
        assert!(
            text.contains("\"rdf:type\":[{\"@id\":\"medrd:Program\"}]"),
            "{text}"
        );
        assert!(text.contains("\"@type\":\"xsd:decimal\""), "{text}");
        // values other than IRIs are untouched, whatever they hold
        assert!(
            text.contains("https://w3id.org/medrd-kg/ontology#x\"}"),
            "{text}"
        );
        assert_eq!(quads(&compact), quads(expanded));
        assert_eq!(quads(&compact).len(), 4);
        // an empty serialisation is still a document
        let empty = Compactor::new(Vec::new()).finish().unwrap();
        assert!(quads(&empty).is_empty());
    }
}
