//! Quads held compactly between the import that makes them and the insert that takes them.
//!
//! A national import makes about 1.46M quads before the store takes them. As
//! `oxigraph::model::Quad`s each owns the text of its four terms: 580 MB of heap at national
//! scale, more than the store they fill (385 MB), and held while it fills. A [`QuadList`]
//! keeps each term's text once in one buffer, an IRI (or language tag) once for the whole
//! list, and a quad as four indices (16 bytes). It gives its quads back as [`QuadRef`]s
//! borrowing that text, in the order they were pushed: the store's answers to a query without
//! an ORDER BY follow the order of insertion, so the order is kept.

use oxigraph::model::{
    BlankNodeRef, GraphNameRef, LiteralRef, NamedNodeRef, NamedOrBlankNodeRef, Quad, QuadRef,
    TermRef,
};
use rustc_hash::FxHashMap;
use std::hash::{BuildHasher, BuildHasherDefault};

/// What an entry's text is.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Iri,
    Blank,
    /// A language tag (the `extra` of a language-tagged literal).
    Tag,
    Simple,
    /// A language-tagged literal: `extra` is its tag's entry.
    Lang,
    /// A typed literal: `extra` is its datatype's entry.
    Typed,
    DefaultGraph,
}

/// One term: its text `text[start..end]`, its kind and, for a literal, the entry of its
/// language tag or datatype.
#[derive(Clone, Copy)]
struct Entry {
    start: usize,
    end: usize,
    extra: u32,
    kind: Kind,
}

/// Quads in the order they were pushed, their terms' text held once (see the module's
/// documentation).
#[derive(Default)]
pub struct QuadList {
    text: String,
    entries: Vec<Entry>,
    quads: Vec<[u32; 4]>,
    /// IRIs and language tags by a hash of their kind and text: the first entry of that hash
    /// (another text of the same hash gets an entry of its own, unshared).
    shared: FxHashMap<u64, u32>,
    /// The subject pushed last: a resource's quads usually come together.
    last_subject: Option<u32>,
    default_graph: Option<u32>,
}

impl QuadList {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of quads.
    pub fn len(&self) -> usize {
        self.quads.len()
    }

    pub fn is_empty(&self) -> bool {
        self.quads.is_empty()
    }

    /// Appends a quad (its terms copied in).
    pub fn push<'a>(&mut self, quad: impl Into<QuadRef<'a>>) {
        let q = quad.into();
        let s = self.subject(q.subject);
        let p = self.shared(Kind::Iri, q.predicate.as_str());
        let o = self.term(q.object);
        let g = self.graph(q.graph_name);
        self.quads.push([s, p, o, g]);
    }

    /// The quads, in the order they were pushed.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = QuadRef<'_>> + '_ {
        self.quads.iter().map(|q| self.quad(q))
    }

    /// The quads, in the order they were pushed, each as the numbers `number` gives its
    /// subject, predicate, object and graph: it is called once for each distinct term of the
    /// list (an IRI once, however many quads hold it), with `None` for the default graph.
    /// For the store's read-only copy (`store::frozen`), which numbers every term it holds.
    pub fn numbered(&self, mut number: impl FnMut(Option<TermRef<'_>>) -> u32) -> Vec<[u32; 4]> {
        let mut numbers: Vec<Option<u32>> = vec![None; self.entries.len()];
        let mut number_of = |i: u32| {
            *numbers[i as usize].get_or_insert_with(|| {
                let term = match self.entries[i as usize].kind {
                    Kind::DefaultGraph => None,
                    _ => Some(self.term_ref(i)),
                };
                number(term)
            })
        };
        self.quads.iter().map(|q| q.map(&mut number_of)).collect()
    }

    /// Keeps the quads for which `keep` is true, in their order.
    pub fn retain(&mut self, mut keep: impl FnMut(QuadRef<'_>) -> bool) {
        let mut quads = std::mem::take(&mut self.quads);
        quads.retain(|q| keep(self.quad(q)));
        self.quads = quads;
    }

    /// Moves every quad into the graph `graph_of` gives it (`None`: leaves it where it is).
    pub fn set_graphs<'g>(
        &mut self,
        mut graph_of: impl FnMut(QuadRef<'_>) -> Option<GraphNameRef<'g>>,
    ) {
        let mut quads = std::mem::take(&mut self.quads);
        for q in &mut quads {
            let Some(g) = graph_of(self.quad(q)) else {
                continue;
            };
            q[3] = self.graph(g);
        }
        self.quads = quads;
    }

    fn quad(&self, &[s, p, o, g]: &[u32; 4]) -> QuadRef<'_> {
        let subject = match self.entry(s) {
            (Kind::Blank, id) => NamedOrBlankNodeRef::from(BlankNodeRef::new_unchecked(id)),
            (_, iri) => NamedNodeRef::new_unchecked(iri).into(),
        };
        let graph = match self.entry(g) {
            (Kind::DefaultGraph, _) => GraphNameRef::DefaultGraph,
            (Kind::Blank, id) => BlankNodeRef::new_unchecked(id).into(),
            (_, iri) => NamedNodeRef::new_unchecked(iri).into(),
        };
        QuadRef::new(
            subject,
            NamedNodeRef::new_unchecked(self.entry(p).1),
            self.term_ref(o),
            graph,
        )
    }

    fn term_ref(&self, i: u32) -> TermRef<'_> {
        let e = self.entries[i as usize];
        let text = &self.text[e.start..e.end];
        let extra = || self.entry(e.extra).1;
        match e.kind {
            Kind::Blank => BlankNodeRef::new_unchecked(text).into(),
            Kind::Simple => LiteralRef::new_simple_literal(text).into(),
            Kind::Lang => LiteralRef::new_language_tagged_literal_unchecked(text, extra()).into(),
            Kind::Typed => {
                LiteralRef::new_typed_literal(text, NamedNodeRef::new_unchecked(extra())).into()
            }
            Kind::Iri | Kind::Tag | Kind::DefaultGraph => NamedNodeRef::new_unchecked(text).into(),
        }
    }

    fn entry(&self, i: u32) -> (Kind, &str) {
        let e = self.entries[i as usize];
        (e.kind, &self.text[e.start..e.end])
    }

    fn subject(&mut self, s: NamedOrBlankNodeRef<'_>) -> u32 {
        let (kind, text) = match s {
            NamedOrBlankNodeRef::NamedNode(n) => (Kind::Iri, n.as_str()),
            NamedOrBlankNodeRef::BlankNode(b) => (Kind::Blank, b.as_str()),
        };
        if let Some(last) = self.last_subject.filter(|&l| self.entry(l) == (kind, text)) {
            return last;
        }
        let i = match kind {
            Kind::Iri => self.shared(kind, text),
            _ => self.add(kind, text, 0),
        };
        self.last_subject = Some(i);
        i
    }

    fn term(&mut self, t: TermRef<'_>) -> u32 {
        match t {
            TermRef::NamedNode(n) => self.shared(Kind::Iri, n.as_str()),
            TermRef::BlankNode(b) => self.add(Kind::Blank, b.as_str(), 0),
            TermRef::Literal(l) => {
                if let Some(tag) = l.language() {
                    let tag = self.shared(Kind::Tag, tag);
                    self.add(Kind::Lang, l.value(), tag)
                } else if l.datatype() == oxigraph::model::vocab::xsd::STRING {
                    self.add(Kind::Simple, l.value(), 0)
                } else {
                    let datatype = self.shared(Kind::Iri, l.datatype().as_str());
                    self.add(Kind::Typed, l.value(), datatype)
                }
            }
        }
    }

    fn graph(&mut self, g: GraphNameRef<'_>) -> u32 {
        match g {
            GraphNameRef::NamedNode(n) => self.shared(Kind::Iri, n.as_str()),
            GraphNameRef::BlankNode(b) => self.add(Kind::Blank, b.as_str(), 0),
            GraphNameRef::DefaultGraph => match self.default_graph {
                Some(i) => i,
                None => {
                    let i = self.add(Kind::DefaultGraph, "", 0);
                    self.default_graph = Some(i);
                    i
                }
            },
        }
    }

    /// The entry of an IRI or a language tag, added the first time it is seen.
    fn shared(&mut self, kind: Kind, text: &str) -> u32 {
        let hash = BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one((kind, text));
        match self.shared.get(&hash) {
            Some(&i) if self.entry(i) == (kind, text) => i,
            Some(_) => self.add(kind, text, 0),
            None => {
                let i = self.add(kind, text, 0);
                self.shared.insert(hash, i);
                i
            }
        }
    }

    fn add(&mut self, kind: Kind, text: &str, extra: u32) -> u32 {
        let start = self.text.len();
        self.text.push_str(text);
        let i = u32::try_from(self.entries.len())
            .expect("fewer than 2^32 terms in one list (each takes 24 bytes of memory)");
        self.entries.push(Entry {
            start,
            end: self.text.len(),
            extra,
            kind,
        });
        i
    }
}

impl Extend<Quad> for QuadList {
    fn extend<I: IntoIterator<Item = Quad>>(&mut self, quads: I) {
        for q in quads {
            self.push(&q);
        }
    }
}

impl FromIterator<Quad> for QuadList {
    fn from_iter<I: IntoIterator<Item = Quad>>(quads: I) -> Self {
        let mut list = Self::new();
        list.extend(quads);
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::io::{RdfFormat, RdfParser};
    use oxigraph::model::{BlankNode, GraphName, Literal, NamedNode};

    /// Every kind of term in every position it can take, with the quads of the ontology:
    /// the list gives back the very quads it was given, in their order.
    #[test]
    fn gives_back_every_quad_as_it_was_pushed_in_order() {
        let nq = r#"<http://e/s> <http://e/p> "plain" <http://e/g> .
<http://e/s> <http://e/p> "日本語"@ja <http://e/g> .
<http://e/s> <http://e/p> "12"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://e/s> <http://e/p> "x"^^<http://www.w3.org/2001/XMLSchema#string> _:g .
_:b1 <http://e/p> _:b2 <http://e/g> .
<http://e/o> <http://e/p> <http://e/s> <http://e/g> .
<http://e/s> <http://e/p> "plain" <http://e/g> .
<http://e/s> <http://e/p> "ja" _:b1 .
_:0 <http://e/p> "b1"@ja _:123abc .
"#;
        let mut quads: Vec<Quad> = RdfParser::from_format(RdfFormat::NQuads)
            .for_slice(nq.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        let ontology = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/ontology/medrd.ttl"));
        quads.extend(
            RdfParser::from_format(RdfFormat::Turtle)
                .for_slice(&ontology.unwrap())
                .map(|q| q.unwrap()),
        );
        // An IRI whose text is a language tag's or a blank node's (not valid IRIs, but the
        // list must not take one for the other).
        let (ja, b1) = (
            NamedNode::new_unchecked("ja"),
            NamedNode::new_unchecked("b1"),
        );
        quads.extend([
            Quad::new(
                ja.clone(),
                b1.clone(),
                BlankNode::new_unchecked("ja"),
                ja.clone(),
            ),
            Quad::new(
                BlankNode::new_unchecked("b1"),
                ja.clone(),
                Literal::new_typed_literal("x", ja.clone()),
                BlankNode::new_unchecked("b1"),
            ),
            Quad::new(
                b1,
                ja,
                Literal::new_language_tagged_literal_unchecked("b1", "ja"),
                GraphName::DefaultGraph,
            ),
        ]);
        // Turtle's [] (blank nodes of random ids).
        quads.extend(
            RdfParser::from_format(RdfFormat::Turtle)
                .for_slice(b"[] <http://e/p> [ <http://e/p> 1 ] .")
                .map(|q| q.unwrap()),
        );
        let list: QuadList = quads.iter().cloned().collect();
        assert_eq!(list.len(), quads.len());
        for (i, (back, pushed)) in list.iter().zip(&quads).enumerate() {
            assert_eq!(back, pushed.as_ref(), "quad {i}");
        }
    }

    #[test]
    fn shares_an_iri_and_keeps_literals_apart() {
        let mut list = QuadList::new();
        let q = |o: &str| {
            Quad::new(
                NamedNodeRef::new_unchecked("http://e/s"),
                NamedNodeRef::new_unchecked("http://e/p"),
                LiteralRef::new_simple_literal(o),
                NamedNodeRef::new_unchecked("http://e/s"),
            )
        };
        list.extend([q("a"), q("b")]);
        // s (also the graph), p, then the two literals.
        assert_eq!(list.entries.len(), 4);
        assert_eq!(list.text, "http://e/shttp://e/pab");
    }

    #[test]
    fn retains_and_moves_quads_in_place() {
        let g = |n: &str| GraphNameRef::from(NamedNodeRef::new_unchecked(n)).into_owned();
        let mut list: QuadList = (0..4)
            .map(|i| {
                Quad::new(
                    NamedNodeRef::new_unchecked("http://e/s"),
                    NamedNodeRef::new_unchecked("http://e/p"),
                    LiteralRef::new_simple_literal(&i.to_string()),
                    g("http://e/g"),
                )
            })
            .collect();
        list.retain(|q| q.object != LiteralRef::new_simple_literal("1").into());
        let to = g("http://e/h");
        let blank = GraphName::from(BlankNode::new_unchecked("h"));
        list.set_graphs(|q| match q.object.to_string().as_str() {
            r#""2""# => Some(to.as_ref()),
            r#""3""# => Some(GraphNameRef::DefaultGraph),
            r#""0""# => Some(blank.as_ref()),
            _ => None,
        });
        let graphs: Vec<String> = list
            .iter()
            .map(|q| format!("{} {}", q.object, q.graph_name))
            .collect();
        assert_eq!(
            graphs,
            [r#""0" _:h"#, r#""2" <http://e/h>"#, r#""3" DEFAULT"#]
        );
    }
}
