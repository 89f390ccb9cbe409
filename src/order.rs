//! How quads and triples are ordered where we write them, so that every output diffs cleanly
//! from one run to the next: written once here, in two orders for two sizes.
//!
//! - [`text_key`] / [`triple_text_key`]: by the terms' N-Triples text (graph first for
//!   quads). The order of every file `medrd build` writes (exports, the catalogue, the data
//!   graph's quads): what `dist/` has always been sorted by.
//! - [`lean_key`]: by each term's kind and raw text, without writing terms out — for the
//!   millions of quads of the review sheets (`medrd link judgit --judgit-graph`: 13.5M quads
//!   took 16 GB when each was given its text as a key). It is a different order (an IRI
//!   before its extensions: `…/987` before `…/987/fy2023`), used only where it always was.

use oxigraph::model::{GraphName, NamedOrBlankNode, Quad, Term, Triple};

/// The sort key of a quad by its terms' text: graph, subject, predicate, object.
pub fn text_key(q: &Quad) -> (String, String, String, String) {
    (
        q.graph_name.to_string(),
        q.subject.to_string(),
        q.predicate.to_string(),
        q.object.to_string(),
    )
}

/// The sort key of a triple by its terms' text: subject, predicate, object.
pub fn triple_text_key(t: &Triple) -> (String, String, String) {
    (
        t.subject.to_string(),
        t.predicate.to_string(),
        t.object.to_string(),
    )
}

/// Sorts triples by their terms' text and drops repeats.
pub fn sort_triples(triples: &mut Vec<Triple>) {
    triples.sort_by_cached_key(triple_text_key);
    triples.dedup();
}

/// Sorts quads by their terms' text and drops repeats.
pub fn sort_quads(quads: &mut Vec<Quad>) {
    quads.sort_by_cached_key(text_key);
    quads.dedup();
}

/// The lean sort key of a quad: graph, subject, predicate, object, each as its kind and text
/// (an IRI, a blank node's id, a literal's value, datatype and language), borrowed.
pub fn lean_key(q: &Quad) -> [(u8, &str, &str); 4] {
    fn node(n: &NamedOrBlankNode) -> (u8, &str, &str) {
        match n {
            NamedOrBlankNode::NamedNode(n) => (0, n.as_str(), ""),
            NamedOrBlankNode::BlankNode(b) => (1, b.as_str(), ""),
        }
    }
    let graph = match &q.graph_name {
        GraphName::DefaultGraph => (0, "", ""),
        GraphName::NamedNode(n) => (1, n.as_str(), ""),
        GraphName::BlankNode(b) => (2, b.as_str(), ""),
    };
    let object = match &q.object {
        Term::NamedNode(n) => (0, n.as_str(), ""),
        Term::BlankNode(b) => (1, b.as_str(), ""),
        Term::Literal(l) => (
            2,
            l.value(),
            l.language().unwrap_or_else(|| l.datatype().as_str()),
        ),
        #[allow(unreachable_patterns)]
        _ => (3, "", ""),
    };
    [
        graph,
        node(&q.subject),
        (0, q.predicate.as_str(), ""),
        object,
    ]
}
