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
use oxigraph::model::{GraphNameRef, NamedOrBlankNodeRef, QuadRef, TermRef};
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
        self.buffer.extend_from_slice(head().as_bytes());
        Ok(())
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

/// What compact JSON-LD begins with: `{"@context": {prefixes}, "@graph":`.
fn head() -> String {
    let context: serde_json::Map<String, serde_json::Value> = crate::vocab::PREFIXES
        .iter()
        .map(|(p, ns)| ((*p).to_owned(), serde_json::Value::String((*ns).to_owned())))
        .collect();
    let context = serde_json::Value::Object(context).to_string();
    format!("{{\"@context\":{context},\"@graph\":")
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

/// Writes quads (sorted: a graph's quads together, a subject's within it) as compact JSON-LD
/// straight from their terms: the bytes oxigraph's JSON-LD serialiser gives through a
/// [`Compactor`], without writing the expanded text and reading it again byte by byte (the
/// export took 260 ms of `medrd build` that way). The same structure as oxigraph's writer: a
/// named graph's quads in `{"@id": graph, "@graph": [...]}`, each subject an object whose
/// properties hold arrays of `{"@id"}` or `{"@language"/"@type", "@value"}`, a subject object
/// begun again when a property comes back. `tests/suite/publish.rs` holds the two to the same
/// bytes on our store.
///
/// Each quad comes with its terms' ranks (graph, subject, predicate, object: distinct terms,
/// `terms` of them, numbered from 0, as [`crate::order::TermTexts`] numbers them): a term's
/// JSON is made once, at its first quad, and copied for the others ([`Memo`]).
pub fn write_quads<'a>(
    quads: impl Iterator<Item = (QuadRef<'a>, [u32; 4])>,
    terms: usize,
    out: impl Write,
) -> io::Result<()> {
    let mut w = Events::new(out);
    let mut memo = Memo {
        strings: vec![None; terms],
        objects: vec![None; terms],
    };
    w.raw(head().as_bytes())?;
    w.start(b'[')?;
    // The graph (and whether it is a named one), subject and predicate being written.
    let mut graph: Option<(u32, bool)> = None;
    let mut subject: Option<u32> = None;
    let mut predicate: Option<u32> = None;
    let mut emitted: Vec<u32> = Vec::new();
    for (q, [g, s, p, o]) in quads {
        if graph.is_some_and(|(graph, _)| graph != g) {
            w.end(b']')?;
            w.end(b'}')?;
            if graph.is_some_and(|(_, named)| named) {
                w.end(b']')?;
                w.end(b'}')?;
            }
            (graph, subject, predicate) = (None, None, None);
            emitted.clear();
        } else if subject.is_some_and(|subject| subject != s)
            || predicate.is_some_and(|predicate| predicate != p) && emitted.contains(&p)
        {
            w.end(b']')?;
            w.end(b'}')?;
            (subject, predicate) = (None, None);
            emitted.clear();
        } else if predicate.is_some_and(|predicate| predicate != p) {
            w.end(b']')?;
            emitted.extend(predicate.take());
        }
        if graph.is_none() {
            let id = node_id(q.graph_name);
            if let Some(id) = &id {
                w.start(b'{')?;
                w.key(ID)?;
                w.value(memo.string(g, id))?;
                w.key(b"\"@graph\"")?;
                w.start(b'[')?;
            }
            graph = Some((g, id.is_some()));
        }
        if subject.is_none() {
            w.start(b'{')?;
            w.key(ID)?;
            w.value(memo.string(s, &subject_id(q.subject)))?;
            subject = Some(s);
        }
        if predicate.is_none() {
            w.key(memo.string(p, q.predicate.as_str()))?;
            w.start(b'[')?;
            predicate = Some(p);
        }
        w.value(memo.object(o, q.object)?)?;
    }
    if predicate.is_some() {
        w.end(b']')?;
    }
    if subject.is_some() {
        w.end(b'}')?;
    }
    if graph.is_some_and(|(_, named)| named) {
        w.end(b']')?;
        w.end(b'}')?;
    }
    w.end(b']')?;
    w.raw(b"}\n")?;
    w.out.flush()
}

/// The key `@id`, as a JSON string.
const ID: &[u8] = b"\"@id\"";

/// Each term's JSON by rank, made at its first quad: as a compacted string (a subject's or
/// graph's `@id`, a property name) and as an object's node (`{"@id": …}` or
/// `{"@language"/"@type": …, "@value": …}`).
struct Memo {
    strings: Vec<Option<Box<[u8]>>>,
    objects: Vec<Option<Box<[u8]>>>,
}

impl Memo {
    fn string(&mut self, rank: u32, text: &str) -> &[u8] {
        self.strings[rank as usize].get_or_insert_with(|| {
            let mut json = Vec::new();
            json_string(text, true, &mut json);
            json.into_boxed_slice()
        })
    }

    fn object(&mut self, rank: u32, term: TermRef<'_>) -> io::Result<&[u8]> {
        let slot = &mut self.objects[rank as usize];
        if slot.is_none() {
            let mut json = Vec::new();
            json_object(term, &mut json)?;
            *slot = Some(json.into_boxed_slice());
        }
        Ok(slot.as_deref().unwrap_or_default())
    }
}

fn subject_id(s: NamedOrBlankNodeRef<'_>) -> std::borrow::Cow<'_, str> {
    match s {
        NamedOrBlankNodeRef::NamedNode(n) => n.as_str().into(),
        NamedOrBlankNodeRef::BlankNode(b) => b.to_string().into(),
    }
}

fn node_id(g: GraphNameRef<'_>) -> Option<std::borrow::Cow<'_, str>> {
    match g {
        GraphNameRef::NamedNode(n) => Some(n.as_str().into()),
        GraphNameRef::BlankNode(b) => Some(b.to_string().into()),
        GraphNameRef::DefaultGraph => None,
    }
}

/// `text` as a JSON string, compacted (as [`Compactor`] would: the escaped text, when shorter
/// than it holds) when `compacts` (a property name, a value of `@id` or `@type`).
fn json_string(text: &str, compacts: bool, out: &mut Vec<u8>) {
    let start = out.len();
    escape(text, out);
    let inner = &out[start + 1..out.len() - 1];
    if compacts && inner.len() < MAX_HELD {
        if let Some(short) = std::str::from_utf8(inner).ok().and_then(compact) {
            out.truncate(start);
            out.push(b'"');
            out.extend_from_slice(short.as_bytes());
            out.push(b'"');
        }
    }
}

/// An object's node: `{"@id":…}` for an IRI or a blank node, `{"@language":…,"@value":…}`,
/// `{"@type":…,"@value":…}` (not for `xsd:string`) or `{"@value":…}` for a literal.
fn json_object(term: TermRef<'_>, out: &mut Vec<u8>) -> io::Result<()> {
    out.push(b'{');
    match term {
        TermRef::NamedNode(n) => {
            out.extend_from_slice(b"\"@id\":");
            json_string(n.as_str(), true, out);
        }
        TermRef::BlankNode(b) => {
            out.extend_from_slice(b"\"@id\":");
            json_string(&b.to_string(), true, out);
        }
        TermRef::Literal(l) => {
            if let Some(language) = l.language() {
                out.extend_from_slice(b"\"@language\":");
                json_string(language, false, out);
                out.push(b',');
            } else if l.datatype() != oxigraph::model::vocab::xsd::STRING {
                out.extend_from_slice(b"\"@type\":");
                json_string(l.datatype().as_str(), true, out);
                out.push(b',');
            }
            out.extend_from_slice(b"\"@value\":");
            json_string(l.value(), false, out);
        }
        #[allow(unreachable_patterns)]
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "JSON-LD does not support RDF 1.2 yet",
            ))
        }
    }
    out.push(b'}');
    Ok(())
}

/// The JSON events [`write_quads`] writes, with the commas and colons of a compact JSON
/// writer, and the strings a [`Compactor`] rewrites (keys, `@id` and `@type` values)
/// rewritten the same way.
struct Events<W: Write> {
    out: io::BufWriter<W>,
    /// For each open container, whether nothing is in it yet.
    empty: Vec<bool>,
    /// A key was written: its value needs no comma.
    after_key: bool,
}

impl<W: Write> Events<W> {
    fn new(out: W) -> Self {
        Events {
            out: io::BufWriter::with_capacity(BUFFER, out),
            empty: Vec::new(),
            after_key: false,
        }
    }

    fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }

    fn separate(&mut self) -> io::Result<()> {
        if std::mem::take(&mut self.after_key) {
            return Ok(());
        }
        match self.empty.last_mut() {
            Some(empty) if *empty => *empty = false,
            Some(_) => self.out.write_all(b",")?,
            None => {}
        }
        Ok(())
    }

    fn start(&mut self, b: u8) -> io::Result<()> {
        self.separate()?;
        self.empty.push(true);
        self.out.write_all(&[b])
    }

    fn end(&mut self, b: u8) -> io::Result<()> {
        self.empty.pop();
        self.out.write_all(&[b])
    }

    /// A key, given as its JSON string.
    fn key(&mut self, json: &[u8]) -> io::Result<()> {
        self.separate()?;
        self.out.write_all(json)?;
        self.after_key = true;
        self.out.write_all(b":")
    }

    /// A value, given as its JSON.
    fn value(&mut self, json: &[u8]) -> io::Result<()> {
        self.separate()?;
        self.out.write_all(json)
    }
}

/// `text` as a JSON string, quotes included, escaped as oxigraph's JSON writer escapes it:
/// `\\`, `\"`, the short escapes of control characters that have one, `\u00xx` (lower-case
/// hex) for the others, everything else as it is.
fn escape(text: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let mut from = 0;
    for (i, b) in text.bytes().enumerate() {
        let short: &[u8] = match b {
            b'\\' => b"\\\\",
            b'"' => b"\\\"",
            0x08 => b"\\b",
            0x0C => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..0x20 => b"",
            _ => continue,
        };
        out.extend_from_slice(&text.as_bytes()[from..i]);
        from = i + 1;
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xF)]);
        } else {
            out.extend_from_slice(short);
        }
    }
    out.extend_from_slice(&text.as_bytes()[from..]);
    out.push(b'"');
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

    /// What oxigraph's serialiser and the compactor write for `quads` in their order.
    fn through_compactor(quads: &[oxigraph::model::Quad]) -> Vec<u8> {
        let mut w = oxigraph::io::RdfSerializer::from_format(JSON_LD)
            .for_writer(Compactor::new(Vec::new()));
        for q in quads {
            w.serialize_quad(q).unwrap();
        }
        w.finish().unwrap().finish().unwrap()
    }

    /// The direct writer gives the serialiser's and compactor's bytes where the two could
    /// part: every escape a string can need, a default-graph quad, blank nodes as subject,
    /// object and graph, a datatype outside the prefixes, a property coming back after
    /// another within a subject, a subject coming back in a later graph, no quad at all.
    #[test]
    fn the_direct_writer_writes_what_the_serialiser_and_compactor_write() {
        let text = r#"
            <https://w3id.org/medrd-kg/id/a> <http://www.w3.org/2000/01/rdf-schema#label> "q\"b\\s\n\r\t\b\f\u0001\u001F\u007F é 認知症"@ja .
            <https://w3id.org/medrd-kg/id/a> <https://example.org/p> "1"^^<https://example.org/dt> <https://w3id.org/medrd-kg/graph/g> .
            <https://w3id.org/medrd-kg/id/a> <https://example.org/q> _:b1 <https://w3id.org/medrd-kg/graph/g> .
            <https://w3id.org/medrd-kg/id/a> <https://example.org/p> "2" <https://w3id.org/medrd-kg/graph/g> .
            _:b1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/medrd-kg/ontology#Program> _:g2 .
            <https://w3id.org/medrd-kg/id/a> <https://w3id.org/medrd-kg/ontology#okuYen> "12.5"^^<http://www.w3.org/2001/XMLSchema#decimal> _:g2 .
            <https://w3id.org/medrd-kg/id/a> <https://w3id.org/medrd-kg/ontology#x> <https://w3id.org/medrd-kg/id/> _:g2 .
        "#;
        let quads: Vec<oxigraph::model::Quad> = RdfParser::from_format(RdfFormat::NQuads)
            .for_slice(text.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(quads.len(), 7);
        for n in 0..=quads.len() {
            let part = &quads[..n];
            let mut direct = Vec::new();
            let texts = crate::order::TermTexts::of(part);
            let ranked = part.iter().zip(&texts.ranks).map(|(q, r)| (q.as_ref(), *r));
            write_quads(ranked, texts.texts.len(), &mut direct).unwrap();
            assert_eq!(
                String::from_utf8(direct).unwrap(),
                String::from_utf8(through_compactor(part)).unwrap(),
                "the first {n} quads"
            );
        }
    }
}
