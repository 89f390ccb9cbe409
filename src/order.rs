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
use std::cmp::Ordering;

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

/// A quad's terms written out once, graph, subject, predicate, object one after another, and
/// where each ends: one allocation where [`text_key`] makes four.
struct TextKey {
    text: String,
    ends: [usize; 4],
}

impl TextKey {
    fn of(q: &Quad) -> Self {
        use std::fmt::Write;
        let mut text = String::new();
        let mut ends = [0; 4];
        // Writing to a String cannot fail.
        let _ = write!(text, "{}", q.graph_name);
        ends[0] = text.len();
        let _ = write!(text, "{}", q.subject);
        ends[1] = text.len();
        let _ = write!(text, "{}", q.predicate);
        ends[2] = text.len();
        let _ = write!(text, "{}", q.object);
        ends[3] = text.len();
        TextKey { text, ends }
    }

    fn part(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

/// The order of `quads` by [`text_key`], and the order of their triples by
/// [`triple_text_key`] with each triple once (its first quad in that order): what
/// `sort_by_cached_key(text_key)` and, on its result, [`sort_triples`] give, as positions in
/// `quads` — each term written out once for both orders, the two sorts on two threads, no
/// quad moved or copied.
pub fn quad_and_triple_order(quads: &[Quad]) -> (Vec<u32>, Vec<u32>) {
    let ranks = ranks(&quads.iter().map(TextKey::of).collect::<Vec<_>>());
    // Ties (the same text) keep the quads' order, as the stable sorts did; the triples' ties
    // are broken by the graph, which is where a quad sort put them.
    let by = |parts: [usize; 4]| {
        let ranks = &ranks;
        move |a: &u32, b: &u32| {
            let (ra, rb) = (&ranks[*a as usize], &ranks[*b as usize]);
            parts
                .iter()
                .map(|&i| ra[i].cmp(&rb[i]))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
                .then(a.cmp(b))
        }
    };
    // Positions as u32 halve the two orders' memory; 2^32 quads would not fit in memory.
    let count = u32::try_from(quads.len()).expect("fewer than 2^32 quads");
    let indices = || (0..count).collect::<Vec<u32>>();
    std::thread::scope(|scope| {
        let triples = scope.spawn(|| {
            let mut order = indices();
            order.sort_unstable_by(by([1, 2, 3, 0]));
            order.dedup_by(|a, b| {
                let (a, b) = (&quads[*a as usize], &quads[*b as usize]);
                a.subject == b.subject && a.predicate == b.predicate && a.object == b.object
            });
            order
        });
        let mut order = indices();
        order.sort_unstable_by(by([0, 1, 2, 3]));
        let triples = triples
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (order, triples)
    })
}

/// Each quad's four texts as their ranks among every distinct text of `keys`: two quads'
/// ranks compare part by part as their texts do, so the sorts compare integers, not strings
/// that share long prefixes (`https://w3id.org/medrd-kg/id/…`), and each distinct text is
/// sorted once however many quads hold it.
fn ranks(keys: &[TextKey]) -> Vec<[u32; 4]> {
    let mut distinct: rustc_hash::FxHashMap<&str, u32> = rustc_hash::FxHashMap::default();
    for k in keys {
        for i in 0..4 {
            distinct.entry(k.part(i)).or_insert(0);
        }
    }
    let mut texts: Vec<&str> = distinct.keys().copied().collect();
    texts.sort_unstable();
    // At most four distinct texts a quad: far below 2^32 for any store that fits in memory.
    let ranks = u32::try_from(texts.len()).expect("fewer than 2^32 distinct texts");
    for (rank, text) in (0..ranks).zip(&texts) {
        distinct.insert(text, rank);
    }
    keys.iter()
        .map(|k| std::array::from_fn(|i| distinct[k.part(i)]))
        .collect()
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
