//! Serialising the whole knowledge base (ontology and data) in the RDF syntaxes, sorted so
//! that exports diff cleanly. The quads are read and sorted once ([`Sorted`]) for however many
//! syntaxes are written (`medrd build` writes six, and counts the catalogue's statistics on them).

use crate::error::{Error, Result};
use crate::order::TermTexts;
use crate::store::frozen::Frozen;
use crate::store::Kb;
use oxigraph::io::RdfFormat;
use oxigraph::model::vocab::{rdf, rdfs};
use oxigraph::model::{
    GraphNameRef, NamedNode, NamedOrBlankNodeRef, Quad, QuadRef, TermRef, TripleRef,
};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::OnceLock;

/// `rdf:type` as N-Triples writes it: the text of its rank.
const TYPE: &str = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>";

/// Every quad of the knowledge base, each distinct term's text ([`TermTexts`]), and two
/// orders of the quads: all sorted, and one quad of each triple (the union of the graphs,
/// without repeats) sorted.
pub struct Sorted {
    quads: Held,
    texts: TermTexts,
    quad_order: Vec<u32>,
    triple_order: Vec<u32>,
    /// Each distinct term's Turtle text by rank, made for the first Turtle or TriG written.
    turtle: OnceLock<Turtle>,
}

/// The syntaxes [`Sorted::write`] writes itself, from the terms' texts and the quads' order
/// (any other goes through oxigraph's serialiser): the six exports of `medrd build`.
pub const WRITTEN_HERE: [RdfFormat; 6] = [
    RdfFormat::NTriples,
    RdfFormat::NQuads,
    RdfFormat::Turtle,
    RdfFormat::TriG,
    RdfFormat::RdfXml,
    RdfFormat::JsonLd {
        profile: oxigraph::io::JsonLdProfileSet::empty(),
    },
];

/// The quads a [`Sorted`] holds: read from the store (or the endpoint), or those of the
/// store's read-only copy, whose terms it borrows.
enum Held {
    Quads(Vec<Quad>),
    Copy(Arc<Frozen>),
}

impl Held {
    fn len(&self) -> usize {
        match self {
            Held::Quads(q) => q.len(),
            Held::Copy(c) => c.len(),
        }
    }

    fn get(&self, i: u32) -> QuadRef<'_> {
        match self {
            Held::Quads(q) => q[i as usize].as_ref(),
            Held::Copy(c) => c.quad_ref(i as usize),
        }
    }

    fn iter(&self) -> impl Iterator<Item = QuadRef<'_>> {
        (0..u32::try_from(self.len()).unwrap_or(u32::MAX)).map(|i| self.get(i))
    }
}

impl Sorted {
    /// Reads every quad of the knowledge base (the store, or the `--endpoint`'s graphs), or
    /// takes them from its read-only copy when it was loaded into one.
    pub fn of(kb: &Kb) -> Result<Sorted> {
        if let Some(copy) = kb.stats.frozen() {
            return Ok(Sorted::from_copy(copy.clone()));
        }
        Ok(Sorted::from_quads(kb.quads()?))
    }

    /// Sorts these quads (repeats are kept: a store holds none).
    pub fn from_quads(quads: Vec<Quad>) -> Sorted {
        let texts = TermTexts::of(&quads);
        Sorted::with_texts(Held::Quads(quads), texts)
    }

    /// Sorts the quads of a read-only copy of the store (each once).
    pub fn from_copy(copy: Arc<Frozen>) -> Sorted {
        let texts = TermTexts::of_copy(&copy);
        Sorted::with_texts(Held::Copy(copy), texts)
    }

    fn with_texts(quads: Held, texts: TermTexts) -> Sorted {
        let (quad_order, triple_order) = crate::order::quad_and_triple_order(&texts);
        Sorted {
            quads,
            texts,
            quad_order,
            triple_order,
            turtle: OnceLock::new(),
        }
    }

    /// Every quad, sorted.
    pub fn quads(&self) -> impl ExactSizeIterator<Item = QuadRef<'_>> {
        self.quad_order.iter().map(|i| self.quads.get(*i))
    }

    /// How many quads of these graphs there are (the triples of each, summed).
    pub fn graphs_len(&self, graphs: &[NamedNode]) -> usize {
        self.quads
            .iter()
            .filter(|q| matches!(q.graph_name, GraphNameRef::NamedNode(g) if graphs.iter().any(|n| n.as_ref() == g)))
            .count()
    }

    /// Each quad's graph, subject, predicate and object as ranks among the distinct terms'
    /// texts ([`TermTexts`]), in no order.
    pub fn quad_ranks(&self) -> &[[u32; 4]] {
        &self.texts.ranks
    }

    /// The ranks of [`Sorted::triples`], in their order.
    pub fn triple_ranks(&self) -> impl ExactSizeIterator<Item = [u32; 4]> + '_ {
        self.triple_order
            .iter()
            .map(|i| self.texts.ranks[*i as usize])
    }

    /// How many distinct terms the quads hold (the default graph counted as one): every rank
    /// is below it.
    pub fn terms_len(&self) -> usize {
        self.texts.texts.len()
    }

    /// The N-Triples text of the term of a rank (`DEFAULT` for the default graph).
    pub fn text(&self, rank: u32) -> &str {
        self.texts.text(rank)
    }

    /// The rank of the term whose N-Triples text is `text`, if a quad holds it.
    pub fn rank_of(&self, text: &str) -> Option<u32> {
        let at = self
            .texts
            .texts
            .binary_search_by(|t| t.as_str().cmp(text))
            .ok()?;
        u32::try_from(at).ok()
    }

    /// The rank of the default graph, if a quad is in it (its text, `DEFAULT`, is no term's).
    fn default_rank(&self) -> Option<u32> {
        self.rank_of(&GraphNameRef::DefaultGraph.to_string())
    }

    /// The union of the graphs, sorted: every triple once, as a quad that holds it.
    pub fn triples(&self) -> impl ExactSizeIterator<Item = QuadRef<'_>> {
        self.triple_order.iter().map(|i| self.quads.get(*i))
    }

    /// Writes them in `format`: N-Quads and TriG keep the graphs, the other syntaxes get the
    /// union of the graphs; JSON-LD is compacted (query::jsonld). N-Triples, N-Quads, Turtle,
    /// TriG, RDF/XML and JSON-LD are written here, from each distinct term's text and the
    /// quads' order; any other syntax by oxigraph's serialiser. Both give the same bytes
    /// ([`Sorted::write_by_serializer`]; `tests/suite/publish.rs` compares them).
    pub fn write(&self, format: RdfFormat, out: impl Write) -> Result<()> {
        let io = Error::Write;
        match format {
            RdfFormat::NTriples => self.write_lines(&self.triple_order, false, out).map_err(io),
            RdfFormat::NQuads => self.write_lines(&self.quad_order, true, out).map_err(io),
            RdfFormat::JsonLd { .. } => crate::query::jsonld::write_quads(
                self.quad_order.iter().map(|i| {
                    let i = *i as usize;
                    (self.quads.get(i as u32), self.texts.ranks[i])
                }),
                self.texts.texts.len(),
                out,
            )
            .map_err(io),
            RdfFormat::Turtle => self
                .write_turtle(&self.triple_order, false, out)
                .map_err(io),
            RdfFormat::TriG => self.write_turtle(&self.quad_order, true, out).map_err(io),
            RdfFormat::RdfXml => self.write_rdf_xml(out).map_err(io),
            _ => self.write_by_serializer(format, out),
        }
    }

    /// Writes them in `format` by oxigraph's serialiser (JSON-LD through
    /// [`crate::query::jsonld::Compactor`]): what [`Sorted::write`] gives, the slow way.
    pub fn write_by_serializer(&self, format: RdfFormat, out: impl Write) -> Result<()> {
        if let RdfFormat::JsonLd { .. } = format {
            let compact = crate::query::jsonld::Compactor::new(out);
            let compact = self.write_plain(format, compact)?;
            compact.finish().map_err(Error::Write)?;
            return Ok(());
        }
        self.write_plain(format, out)?;
        Ok(())
    }

    /// N-Triples (`graphs` false) or N-Quads lines of the quads at `order`: each term's text
    /// copied as [`TermTexts`] wrote it, as oxigraph's serialisers write it (`s p o [g] .`).
    fn write_lines(&self, order: &[u32], graphs: bool, out: impl Write) -> std::io::Result<()> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        let default = self.default_rank();
        for i in order {
            let [g, s, p, o] = self.texts.ranks[*i as usize];
            for (rank, sep) in [(s, b' '), (p, b' '), (o, b' ')] {
                out.write_all(self.texts.text(rank).as_bytes())?;
                out.write_all(&[sep])?;
            }
            if graphs && Some(g) != default {
                out.write_all(self.texts.text(g).as_bytes())?;
                out.write_all(b" ")?;
            }
            out.write_all(b".\n")?;
        }
        out.flush()
    }

    /// Turtle (`graphs` false: every quad in the default graph) or TriG of the quads at
    /// `order`, laid out as oxttl's serialiser lays them out (a subject's predicates after
    /// ` ;`, a predicate's objects after ` ,`, a named graph in `G {` … `}` with its lines
    /// indented by a tab), each term's text written once by that serialiser ([`Turtle`]).
    fn write_turtle(&self, order: &[u32], graphs: bool, out: impl Write) -> std::io::Result<()> {
        let turtle = match self.turtle.get() {
            Some(t) => t,
            None => {
                let made = Turtle::of(self)?;
                self.turtle.get_or_init(|| made)
            }
        };
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        // Ranks compared, not the quads' terms: no quad is looked up in the loop.
        let (in_default, a) = (self.default_rank(), self.rank_of(TYPE));
        let default = u32::MAX;
        let mut graph = default;
        let mut current: Option<(u32, u32)> = None;
        for (n, i) in order.iter().enumerate() {
            let [g, s, p, o] = self.texts.ranks[*i as usize];
            let g = if graphs && Some(g) != in_default {
                g
            } else {
                default
            };
            let predicate = if Some(p) == a { "a" } else { turtle.text(p) };
            let triple = [turtle.text(s), " ", predicate, " ", turtle.text(o)];
            if n == 0 {
                out.write_all(turtle.prelude.as_bytes())?;
            }
            let tab: &[u8] = if graph == default { b"" } else { b"\t" };
            if g != graph {
                if current.is_some() {
                    out.write_all(b" .\n")?;
                }
                if graph != default {
                    out.write_all(b"}\n")?;
                }
                graph = g;
                if g != default {
                    pieces(&mut out, &[turtle.text(g), " {\n\t"])?;
                }
                current = Some((s, p));
                pieces(&mut out, &triple)?;
                continue;
            }
            match current.replace((s, p)) {
                Some((cs, cp)) if cs == s && cp == p => pieces(&mut out, &[" , ", turtle.text(o)])?,
                Some((cs, _)) if cs == s => {
                    out.write_all(b" ;\n")?;
                    out.write_all(tab)?;
                    pieces(&mut out, &["\t", predicate, " ", turtle.text(o)])?;
                }
                Some(_) => {
                    out.write_all(b" .\n")?;
                    out.write_all(tab)?;
                    pieces(&mut out, &triple)?;
                }
                None => {
                    out.write_all(tab)?;
                    pieces(&mut out, &triple)?;
                }
            }
        }
        if current.is_some() {
            out.write_all(b" .\n")?;
        }
        if graph != default {
            out.write_all(b"}\n")?;
        }
        out.flush()
    }

    /// Each distinct term by rank (`None` for the default graph).
    fn terms(&self) -> Vec<Option<TermRef<'_>>> {
        let mut terms: Vec<Option<TermRef<'_>>> = vec![None; self.texts.texts.len()];
        for (q, ranks) in self.quads.iter().zip(&self.texts.ranks) {
            let graph = match q.graph_name {
                GraphNameRef::NamedNode(n) => Some(TermRef::from(n)),
                GraphNameRef::BlankNode(b) => Some(TermRef::from(b)),
                GraphNameRef::DefaultGraph => None,
            };
            let parts = [
                graph,
                Some(q.subject.into()),
                Some(q.predicate.into()),
                Some(q.object),
            ];
            for (rank, term) in ranks.iter().zip(parts) {
                let slot = &mut terms[*rank as usize];
                if slot.is_none() {
                    *slot = term;
                }
            }
        }
        terms
    }

    /// RDF/XML of the union of the graphs, laid out as oxrdfxml lays it out (a subject's
    /// triples in one element, named by its first triple's class where that triple is an
    /// `rdf:type`, each indented by tabs), from the pieces [`RdfXml`] has oxrdfxml write once
    /// per term.
    fn write_rdf_xml(&self, out: impl Write) -> std::io::Result<()> {
        let xml = RdfXml::of(self)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        out.write_all(xml.prelude.as_bytes())?;
        let a = self.rank_of(TYPE);
        let mut open: Option<(u32, &str)> = None;
        for i in &self.triple_order {
            let [_, s, p, o] = self.texts.ranks[*i as usize];
            if open.is_none_or(|(subject, _)| subject != s) {
                if let Some((_, tag)) = open {
                    pieces(&mut out, &["\n\t</", tag, ">"])?;
                }
                let about = xml.about(s);
                let class = (Some(p) == a).then(|| xml.classes.get(&o)).flatten();
                if let Some((start, tag)) = class {
                    pieces(&mut out, &["\n\t<", start, about, ">"])?;
                    open = Some((s, tag.as_str()));
                    continue;
                }
                pieces(&mut out, &["\n\t<rdf:Description", about, ">"])?;
                open = Some((s, "rdf:Description"));
            }
            let (start, tag) = &xml.properties[&p];
            match &xml.objects[o as usize] {
                (attributes, None) => pieces(&mut out, &["\n\t\t<", start, attributes, "/>"])?,
                (attributes, Some(text)) => pieces(
                    &mut out,
                    &["\n\t\t<", start, attributes, ">", text, "</", tag, ">"],
                )?,
            }
        }
        if let Some((_, tag)) = open {
            pieces(&mut out, &["\n\t</", tag, ">"])?;
        }
        out.write_all(b"\n</rdf:RDF>")?;
        out.flush()
    }

    fn write_plain<W: Write>(&self, format: RdfFormat, out: W) -> Result<W> {
        let io = Error::Write;
        let mut w = crate::vocab::rdf_serializer(format, &[]).for_writer(out);
        if format.supports_datasets() {
            for q in self.quads() {
                w.serialize_quad(q).map_err(io)?;
            }
        } else {
            for q in self.triples() {
                w.serialize_triple(TripleRef::from(q)).map_err(io)?;
            }
        }
        w.finish().map_err(io)
    }
}

/// Writes these pieces one after the other (cheaper than `write!`'s formatting, per triple).
fn pieces(out: &mut impl Write, pieces: &[&str]) -> std::io::Result<()> {
    pieces.iter().try_for_each(|p| out.write_all(p.as_bytes()))
}

/// Each distinct term of a [`Sorted`] as Turtle and TriG write it (a prefixed name where one
/// of [`crate::vocab::rdf_prefixes`] fits and the rest is a valid local name, `<IRI>`
/// otherwise; `42` for an integer, `"…"^^xsd:gYear` …), by rank, and the `@prefix` lines
/// these syntaxes begin with. Written by oxttl's own serialiser, a term at a time (each
/// after ` , ` behind a first triple), so that the texts are its texts: formatting the same
/// term for every quad that holds it was most of the time of these two exports.
struct Turtle {
    prelude: String,
    texts: Vec<String>,
}

impl Turtle {
    fn of(sorted: &Sorted) -> std::io::Result<Turtle> {
        let terms = sorted.terms();
        let mut serializer = oxttl::TriGSerializer::new();
        for (p, ns) in crate::vocab::rdf_prefixes() {
            serializer = serializer
                .with_prefix(p, ns)
                .expect("the prefixes of the code are valid IRIs");
        }
        let mut serializer = serializer.low_level();
        // A first triple, all three of one IRI: the prelude, then its text three times.
        let anchor = oxigraph::model::vocab::rdfs::LABEL;
        let mut first = Vec::new();
        serializer.serialize_quad(
            QuadRef::new(anchor, anchor, anchor, GraphNameRef::DefaultGraph),
            &mut first,
        )?;
        let mut one = |term: TermRef<'_>| -> std::io::Result<String> {
            let mut text = Vec::new();
            serializer.serialize_quad(
                QuadRef::new(anchor, anchor, term, GraphNameRef::DefaultGraph),
                &mut text,
            )?;
            let text = String::from_utf8(text).map_err(std::io::Error::other)?;
            text.strip_prefix(" , ")
                .map(str::to_owned)
                .ok_or_else(|| std::io::Error::other(format!("oxttl wrote {text:?} for an object")))
        };
        let label = one(anchor.into())?;
        let first = String::from_utf8(first).map_err(std::io::Error::other)?;
        let prelude = first
            .strip_suffix(&format!("{label} {label} {label}"))
            .ok_or_else(|| std::io::Error::other(format!("oxttl began with {first:?}")))?
            .to_owned();
        let texts = terms
            .into_iter()
            .map(|t| t.map_or_else(|| Ok(String::new()), &mut one))
            .collect::<std::io::Result<_>>()?;
        Ok(Turtle { prelude, texts })
    }

    fn text(&self, rank: u32) -> &str {
        &self.texts[rank as usize]
    }
}

/// The pieces of RDF/XML oxrdfxml writes for the terms of a [`Sorted`], each written by it
/// once (a serialiser writing into [`Tap`]) and cut out of what it wrote, so that the rules
/// (prefixed element names or a default `xmlns`, escapes, `xml:lang`, `rdf:datatype`, which
/// classes may name an element) are its own: formatting the same term for every triple that
/// holds it was most of the time of this export.
struct RdfXml {
    /// The XML declaration and the opening `rdf:RDF` tag with its namespaces.
    prelude: String,
    /// A subject's attribute (` rdf:about="…"` or ` rdf:nodeID="…"`) by rank.
    subjects: Vec<String>,
    /// A predicate's opening (name and any `xmlns`) and its element name, by rank.
    properties: FxHashMap<u32, (String, String)>,
    /// A class that names its instances' element: opening and element name, by rank.
    classes: FxHashMap<u32, (String, String)>,
    /// An object's attributes and, for a literal, its escaped text, by rank.
    objects: Vec<(String, Option<String>)>,
}

/// A writer whose bytes are taken after each triple a serialiser writes into it.
#[derive(Clone, Default)]
struct Tap(Rc<RefCell<Vec<u8>>>);

impl Write for Tap {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Tap {
    fn take(&self) -> std::io::Result<String> {
        String::from_utf8(std::mem::take(&mut *self.0.borrow_mut())).map_err(std::io::Error::other)
    }
}

/// oxrdfxml wrote something this writer does not expect: the export would differ from its.
fn unexpected(what: &str, text: &str) -> std::io::Error {
    std::io::Error::other(format!("oxrdfxml wrote {text:?} for {what}"))
}

/// The RDF/XML pieces of IRIs and literals made here, by escaping, where oxrdfxml writes
/// them as escaped text in a pattern of its own (`rdf:resource="…"`, `rdf:about="…"`,
/// `xml:lang="…">…<`, `rdf:datatype="…">…<`): writing one piece per term through the
/// serialiser was most of the time of this export. Each pattern is learnt from one piece
/// oxrdfxml writes for a probe holding every character XML escapes, and used only if the
/// probe's escaping is [`escape`]'s; a term with characters oxrdfxml might treat otherwise
/// (controls, non-characters) and every blank node go through the serialiser.
#[derive(Default)]
struct Escaped {
    /// `rdf:resource` of an IRI object, if the probe's piece was the expected one.
    resource: Option<bool>,
    /// `rdf:about` of an IRI subject, likewise.
    about: Option<bool>,
    /// A literal's attributes before its text, by language or datatype; `None` where the
    /// probe's text was not escaped as [`escape`] escapes it. (A base direction, RDF 1.2,
    /// would have to be part of the key: oxigraph is built without `rdf-12`, so literals
    /// have none.)
    literals: FxHashMap<String, Option<String>>,
}

/// A probe IRI and text: every character XML escapes, and some that it does not.
const PROBE_IRI: &str = "https://example.org/p?a=1&b='c'#d";
const PROBE_TEXT: &str = "a<b>c&d'e\"f\u{e9} \u{65e5}";

impl Escaped {
    /// An object's piece (attributes, and a literal's text), or `None` for the serialiser.
    /// `write` gives what oxrdfxml writes for an object behind the anchor.
    fn object(
        &mut self,
        term: TermRef<'_>,
        write: &mut dyn FnMut(TermRef<'_>) -> std::io::Result<String>,
    ) -> std::io::Result<Option<(String, Option<String>)>> {
        match term {
            TermRef::NamedNode(n) if plain(n.as_str()) => {
                let known = match self.resource {
                    Some(known) => known,
                    None => {
                        let probe = oxigraph::model::NamedNodeRef::new_unchecked(PROBE_IRI);
                        let expected =
                            format!("\n\t\t<rdfs:label rdf:resource=\"{}\"/>", escape(PROBE_IRI));
                        *self.resource.insert(write(probe.into())? == expected)
                    }
                };
                Ok(known.then(|| (format!(" rdf:resource=\"{}\"", escape(n.as_str())), None)))
            }
            TermRef::Literal(l) if plain(l.value()) => {
                let kind = l.language().unwrap_or_else(|| l.datatype().as_str());
                if !self.literals.contains_key(kind) {
                    let probe = match l.language() {
                        Some(lang) => {
                            oxigraph::model::Literal::new_language_tagged_literal_unchecked(
                                PROBE_TEXT, lang,
                            )
                        }
                        None => {
                            oxigraph::model::Literal::new_typed_literal(PROBE_TEXT, l.datatype())
                        }
                    };
                    let text = write(probe.as_ref().into())?;
                    let attributes = text
                        .strip_prefix("\n\t\t<rdfs:label")
                        .and_then(|t| {
                            t.strip_suffix(&format!(">{}</rdfs:label>", escape(PROBE_TEXT)))
                        })
                        .filter(|a| !a.contains('>'))
                        .map(str::to_owned);
                    self.literals.insert(kind.to_owned(), attributes);
                }
                Ok(self.literals[kind]
                    .as_ref()
                    .map(|a| (a.clone(), Some(escape(l.value()).into_owned()))))
            }
            _ => Ok(None),
        }
    }

    /// A subject's attribute, or `None` for the serialiser. `write` gives what oxrdfxml
    /// writes for a triple of the subject behind a triple of another.
    fn subject(
        &mut self,
        subject: NamedOrBlankNodeRef<'_>,
        write: &mut dyn FnMut(NamedOrBlankNodeRef<'_>) -> std::io::Result<String>,
    ) -> std::io::Result<Option<String>> {
        let NamedOrBlankNodeRef::NamedNode(n) = subject else {
            return Ok(None);
        };
        if !plain(n.as_str()) {
            return Ok(None);
        }
        let known = match self.about {
            Some(known) => known,
            None => {
                let probe = oxigraph::model::NamedNodeRef::new_unchecked(PROBE_IRI);
                let text = write(probe.into())?;
                let expected = format!(
                    "\n\t<rdf:Description rdf:about=\"{}\">\n\t\t<rdfs:label",
                    escape(PROBE_IRI)
                );
                *self.about.insert(text.contains(&expected))
            }
        };
        Ok(known.then(|| format!(" rdf:about=\"{}\"", escape(n.as_str()))))
    }
}

/// Whether a text holds only characters every XML writer keeps as they are or escapes by
/// [`escape`]: no control character (tab, line feed and carriage return included) and no
/// non-character.
fn plain(text: &str) -> bool {
    !text
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{fffe}' | '\u{ffff}'))
}

/// A text or attribute value as oxrdfxml writes it: `<`, `>`, `&`, `'` and `"` escaped.
fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['<', '>', '&', '\'', '"']) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out.into()
}

impl RdfXml {
    fn of(sorted: &Sorted) -> std::io::Result<RdfXml> {
        let terms = sorted.terms();
        let (mut is_subject, mut is_object) = (vec![false; terms.len()], vec![false; terms.len()]);
        let (mut predicates, mut types) = (Vec::new(), Vec::new());
        let a = sorted.rank_of(TYPE);
        for i in &sorted.triple_order {
            let [_, s, p, o] = sorted.texts.ranks[*i as usize];
            is_subject[s as usize] = true;
            is_object[o as usize] = true;
            predicates.push(p);
            if Some(p) == a {
                types.push(o);
            }
        }
        predicates.sort_unstable();
        predicates.dedup();
        types.sort_unstable();
        types.dedup();
        let tap = Tap::default();
        let mut xml = crate::vocab::rdf_serializer(RdfFormat::RdfXml, &[]).for_writer(tap.clone());
        let (anchor, other) = (rdfs::LABEL, rdfs::COMMENT);
        xml.serialize_triple(TripleRef::new(anchor, anchor, anchor))?;
        let first = tap.take()?;
        let prelude = first
            .split_once("\n\t<rdf:Description")
            .ok_or_else(|| unexpected("a first triple", &first))?
            .0
            .to_owned();
        // Objects, behind the anchor: `\n\t\t<rdfs:label ATTRIBUTES/>` or `…>TEXT</rdfs:label>`.
        let mut objects = vec![(String::new(), None); terms.len()];
        let mut escaped = Escaped::default();
        for (rank, term) in terms.iter().enumerate() {
            let Some(term) = term.filter(|_| is_object[rank]) else {
                continue;
            };
            if let Some(piece) = escaped.object(term, &mut |t| {
                xml.serialize_triple(TripleRef::new(anchor, anchor, t))?;
                tap.take()
            })? {
                objects[rank] = piece;
                continue;
            }
            xml.serialize_triple(TripleRef::new(anchor, anchor, term))?;
            let text = tap.take()?;
            let rest = text
                .strip_prefix("\n\t\t<rdfs:label")
                .ok_or_else(|| unexpected("an object", &text))?;
            objects[rank] = match rest.strip_suffix("/>") {
                Some(attributes) => (attributes.to_owned(), None),
                None => rest
                    .strip_suffix("</rdfs:label>")
                    .and_then(|r| r.split_once('>'))
                    .map(|(a, t)| (a.to_owned(), Some(t.to_owned())))
                    .ok_or_else(|| unexpected("an object", &text))?,
            };
        }
        // Predicates, behind the anchor: `\n\t\t<NAME[ xmlns="…"] rdf:resource="…"/>`.
        let resource = format!(" rdf:resource=\"{}\"/>", anchor.as_str());
        let mut properties = FxHashMap::default();
        for p in predicates {
            let Some(TermRef::NamedNode(predicate)) = terms[p as usize] else {
                continue;
            };
            xml.serialize_triple(TripleRef::new(anchor, predicate, anchor))?;
            let text = tap.take()?;
            let start = text
                .strip_prefix("\n\t\t<")
                .and_then(|t| t.strip_suffix(&resource))
                .ok_or_else(|| unexpected("a predicate", &text))?;
            let tag = start.split(' ').next().unwrap_or(start);
            properties.insert(p, (start.to_owned(), tag.to_owned()));
        }
        // Subjects, each a new element: `\n\t</…>\n\t<rdf:Description ATTRIBUTE>\n\t\t<…/>`.
        let mut subjects = vec![String::new(); terms.len()];
        for (rank, term) in terms.iter().enumerate() {
            let Some(subject) = term.filter(|_| is_subject[rank]) else {
                continue;
            };
            let subject = match subject {
                TermRef::NamedNode(n) => NamedOrBlankNodeRef::from(n),
                TermRef::BlankNode(b) => b.into(),
                _ => continue,
            };
            if let Some(about) = escaped.subject(subject, &mut |s| {
                xml.serialize_triple(TripleRef::new(other, anchor, anchor))?;
                xml.serialize_triple(TripleRef::new(s, anchor, anchor))?;
                tap.take()
            })? {
                subjects[rank] = about;
                continue;
            }
            // A subject the serialiser has open (the anchor, or the probe of `escaped`) would
            // continue its element: another comes between.
            let probe = oxigraph::model::NamedNodeRef::new_unchecked(PROBE_IRI);
            if subject == anchor.into() || subject == probe.into() {
                xml.serialize_triple(TripleRef::new(other, anchor, anchor))?;
            }
            xml.serialize_triple(TripleRef::new(subject, anchor, anchor))?;
            let text = tap.take()?;
            subjects[rank] = text
                .split_once("\n\t<rdf:Description")
                .and_then(|(_, t)| t.split_once(">\n\t\t<rdfs:label"))
                .map(|(a, _)| a.to_owned())
                .ok_or_else(|| unexpected("a subject", &text))?;
        }
        let classes = Self::classes(&terms, types, &prelude)?;
        Ok(RdfXml {
            prelude,
            subjects,
            properties,
            classes,
            objects,
        })
    }

    /// The classes that name their instances' element (`<CLASS rdf:about="…">` in place of
    /// `rdf:Description` and its `rdf:type`), each written by a serialiser of its own:
    /// `\n\t<NAME[ xmlns="…"] rdf:nodeID="x">\n\t</NAME>`.
    fn classes(
        terms: &[Option<TermRef<'_>>],
        types: Vec<u32>,
        prelude: &str,
    ) -> std::io::Result<FxHashMap<u32, (String, String)>> {
        let mut classes = FxHashMap::default();
        let instance = oxigraph::model::BlankNodeRef::new_unchecked("x");
        for o in types {
            let Some(TermRef::NamedNode(class)) = terms[o as usize] else {
                continue;
            };
            let tap = Tap::default();
            let mut xml =
                crate::vocab::rdf_serializer(RdfFormat::RdfXml, &[]).for_writer(tap.clone());
            xml.serialize_triple(TripleRef::new(instance, rdf::TYPE, class))?;
            xml.finish()?;
            let text = tap.take()?;
            let element = text
                .strip_prefix(prelude)
                .and_then(|t| t.strip_prefix("\n\t<"))
                .ok_or_else(|| unexpected("a class", &text))?;
            if element.starts_with("rdf:Description ") {
                continue;
            }
            let (start, tag) = element
                .strip_suffix(">\n</rdf:RDF>")
                .and_then(|t| t.split_once(" rdf:nodeID=\"x\">\n\t</"))
                .ok_or_else(|| unexpected("a class", &text))?;
            classes.insert(o, (start.to_owned(), tag.to_owned()));
        }
        Ok(classes)
    }

    fn about(&self, subject: u32) -> &str {
        &self.subjects[subject as usize]
    }
}

/// Writes every quad of the knowledge base in one syntax (see [`Sorted::write`]).
pub fn write(kb: &Kb, format: RdfFormat, out: impl Write) -> Result<()> {
    Sorted::of(kb)?.write(format, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::io::RdfParser;

    /// Every syntax written from the terms' texts gives the bytes of oxigraph's serialiser
    /// where the two could part: the default graph beside named and blank graphs, `a`, a
    /// predicate's objects and a subject's predicates, literals Turtle writes bare (integer,
    /// decimal, double, boolean) or typed, a local name to escape and one that cannot be
    /// one, a language tag, escapes, blank nodes; in RDF/XML a class that names an element
    /// (prefixed or by a default namespace) or cannot, `rdf:type` of a literal, characters
    /// XML escapes (in IRIs of subjects and objects and in literals, escaped here, and beside
    /// control characters, left to the serialiser), the serialisers' own anchor term as a
    /// subject; and for no quad at all.
    #[test]
    fn the_direct_writers_write_what_the_serialisers_write() {
        let text = r#"
            <https://w3id.org/medrd-kg/id/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/medrd-kg/ontology#Program> .
            <https://w3id.org/medrd-kg/id/a> <http://www.w3.org/2000/01/rdf-schema#label> "q\"b\\s\n\t\u0001 é"@ja .
            <https://w3id.org/medrd-kg/id/a> <http://www.w3.org/2000/01/rdf-schema#label> "x"@en .
            <https://w3id.org/medrd-kg/id/a> <https://w3id.org/medrd-kg/ontology#n> "42"^^<http://www.w3.org/2001/XMLSchema#integer> .
            <https://w3id.org/medrd-kg/id/a> <https://w3id.org/medrd-kg/ontology#n> "4.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .
            <https://w3id.org/medrd-kg/id/a> <https://w3id.org/medrd-kg/ontology#n> "1e3"^^<http://www.w3.org/2001/XMLSchema#double> .
            <https://w3id.org/medrd-kg/id/a> <https://w3id.org/medrd-kg/ontology#n> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .
            <https://w3id.org/medrd-kg/id/a> <https://w3id.org/medrd-kg/ontology#n> "2024"^^<http://www.w3.org/2001/XMLSchema#gYear> .
            <https://w3id.org/medrd-kg/id/a> <https://w3id.org/medrd-kg/ontology#n> "x"^^<https://example.org/dt> .
            <https://w3id.org/medrd-kg/id/b> <https://w3id.org/medrd-kg/ontology#x> <https://w3id.org/medrd-kg/ontology#a.b-c_d> <https://w3id.org/medrd-kg/graph/g> .
            <https://w3id.org/medrd-kg/id/b> <https://w3id.org/medrd-kg/ontology#x> <https://w3id.org/medrd-kg/ontology#a/b?c=d> <https://w3id.org/medrd-kg/graph/g> .
            <https://w3id.org/medrd-kg/id/b> <https://w3id.org/medrd-kg/ontology#x> <https://w3id.org/medrd-kg/ontology#end.> <https://w3id.org/medrd-kg/graph/g> .
            <https://w3id.org/medrd-kg/id/b> <https://w3id.org/medrd-kg/ontology#y> _:b1 <https://w3id.org/medrd-kg/graph/g> .
            _:b1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/2004/02/skos/core#Concept> _:g2 .
            <https://w3id.org/medrd-kg/id/a> <https://w3id.org/medrd-kg/ontology#> "" _:g2 .
            <https://example.org/v/c> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://example.org/v/Class> .
            <https://example.org/v/c> <https://example.org/v/p> <https://w3id.org/medrd-kg/id/x?a=1&b='c'> .
            <https://w3id.org/medrd-kg/id/x?a=1&b='c'> <https://example.org/v/p> "r\rx"^^<https://example.org/dt> .
            <https://example.org/v/d> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "not a class" .
            <https://example.org/v/d> <https://example.org/v/p> "a < b & c > 'd'" .
            <https://example.org/v/e> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/1999/02/22-rdf-syntax-ns#Description> .
            <https://example.org/v/e> <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> _:b1 .
            <http://www.w3.org/2000/01/rdf-schema#label> <http://www.w3.org/2000/01/rdf-schema#label> "label"@en .
            <http://www.w3.org/2000/01/rdf-schema#comment> <http://www.w3.org/2000/01/rdf-schema#label> <http://www.w3.org/2000/01/rdf-schema#label> .
        "#;
        let quads: Vec<Quad> = RdfParser::from_format(RdfFormat::NQuads)
            .for_slice(text.as_bytes())
            .collect::<std::result::Result<_, _>>()
            .unwrap();
        assert_eq!(quads.len(), 24);
        for quads in [quads, Vec::new()] {
            let sorted = Sorted::from_quads(quads);
            for format in WRITTEN_HERE {
                let (mut direct, mut serialised) = (Vec::new(), Vec::new());
                sorted.write(format, &mut direct).unwrap();
                sorted.write_by_serializer(format, &mut serialised).unwrap();
                assert_eq!(
                    String::from_utf8(direct).unwrap(),
                    String::from_utf8(serialised).unwrap(),
                    "{format}"
                );
            }
        }
    }

    /// The pieces escaped here are used (not left to the serialiser, which their probes
    /// would allow) for IRIs and literals with characters XML escapes, and are the pieces
    /// oxrdfxml writes; a literal with a control character is left to it.
    #[test]
    fn pieces_escaped_here_are_the_serialisers() {
        use oxigraph::model::{Literal, NamedNodeRef};
        let tap = Tap::default();
        let mut xml = crate::vocab::rdf_serializer(RdfFormat::RdfXml, &[]).for_writer(tap.clone());
        let (anchor, other) = (rdfs::LABEL, rdfs::COMMENT);
        xml.serialize_triple(TripleRef::new(anchor, anchor, anchor))
            .unwrap();
        tap.take().unwrap();
        let mut escaped = Escaped::default();
        let iri = NamedNodeRef::new_unchecked("https://w3id.org/medrd-kg/id/x?a=1&b='c'");
        let text = Literal::new_simple_literal("a < b & 'c' \"d\" > e");
        let ja = Literal::new_language_tagged_literal_unchecked("<日本>", "ja");
        let year = Literal::new_typed_literal("2024", oxigraph::model::vocab::xsd::G_YEAR);
        let mut write = |t: TermRef<'_>| {
            xml.serialize_triple(TripleRef::new(anchor, anchor, t))?;
            tap.take()
        };
        for term in [
            TermRef::from(iri),
            text.as_ref().into(),
            ja.as_ref().into(),
            year.as_ref().into(),
        ] {
            let piece = escaped.object(term, &mut write).unwrap();
            let expected = match piece.expect("escaped here") {
                (a, None) => format!("\n\t\t<rdfs:label{a}/>"),
                (a, Some(t)) => format!("\n\t\t<rdfs:label{a}>{t}</rdfs:label>"),
            };
            assert_eq!(expected, write(term).unwrap());
        }
        let cr = Literal::new_simple_literal("a\rb");
        assert!(escaped
            .object(cr.as_ref().into(), &mut write)
            .unwrap()
            .is_none());
        let mut write = |s: NamedOrBlankNodeRef<'_>| {
            xml.serialize_triple(TripleRef::new(other, anchor, anchor))?;
            xml.serialize_triple(TripleRef::new(s, anchor, anchor))?;
            tap.take()
        };
        let about = escaped.subject(iri.into(), &mut write).unwrap();
        let about = about.expect("escaped here");
        assert!(write(iri.into())
            .unwrap()
            .contains(&format!("\n\t<rdf:Description{about}>")));
    }
}
