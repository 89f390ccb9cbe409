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

use oxigraph::model::{GraphName, NamedOrBlankNode, Quad, Term, TermRef, Triple};
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

/// Every distinct term of some quads written out once (its N-Triples text; the default graph
/// is `DEFAULT`), sorted, and each quad's four terms (graph, subject, predicate, object) as
/// their ranks among those texts: two quads' ranks compare part by part as their texts do,
/// so a sort compares integers, not strings that share long prefixes
/// (`https://w3id.org/medrd-kg/id/…`), and the N-Triples and N-Quads writers copy each
/// term's text instead of writing it out again for every quad that holds it.
pub struct TermTexts {
    /// The distinct texts, sorted; a rank is a position here.
    pub texts: Vec<String>,
    /// Each quad's graph, subject, predicate and object, as ranks.
    pub ranks: Vec<[u32; 4]>,
}

impl TermTexts {
    /// Each distinct term is found by hashing it (no text is written for a term already
    /// seen) and written out once; the distinct texts are sorted once.
    pub fn of(quads: &[Quad]) -> Self {
        let mut seen: rustc_hash::FxHashMap<Option<TermRef<'_>>, u32> =
            rustc_hash::FxHashMap::default();
        let mut terms: Vec<Option<TermRef<'_>>> = Vec::new();
        let ids: Vec<[u32; 4]> = quads
            .iter()
            .map(|q| {
                let graph = match &q.graph_name {
                    GraphName::DefaultGraph => None,
                    GraphName::NamedNode(n) => Some(TermRef::from(n.as_ref())),
                    GraphName::BlankNode(b) => Some(TermRef::from(b.as_ref())),
                };
                let parts = [
                    graph,
                    Some(TermRef::from(q.subject.as_ref())),
                    Some(TermRef::from(q.predicate.as_ref())),
                    Some(q.object.as_ref()),
                ];
                parts.map(|t| {
                    *seen.entry(t).or_insert_with(|| {
                        terms.push(t);
                        // At most four distinct terms a quad: far below 2^32 for any store
                        // that fits in memory.
                        u32::try_from(terms.len() - 1).expect("fewer than 2^32 distinct terms")
                    })
                })
            })
            .collect();
        drop(seen);
        let mut texts: Vec<String> = terms
            .iter()
            .map(|t| t.map_or_else(|| GraphName::DefaultGraph.to_string(), |t| t.to_string()))
            .collect();
        let mut by_text: Vec<u32> = (0..u32::try_from(texts.len()).unwrap_or(u32::MAX)).collect();
        by_text.sort_unstable_by(|a, b| texts[*a as usize].cmp(&texts[*b as usize]));
        // Terms of the same text (none in RDF 1.1: a term's N-Triples text is its own) would
        // share a rank, as they did when the ranks were taken from the texts themselves.
        let mut rank_of = vec![0u32; texts.len()];
        let mut sorted: Vec<String> = Vec::with_capacity(texts.len());
        for id in by_text {
            let text = std::mem::take(&mut texts[id as usize]);
            if sorted.last() != Some(&text) {
                sorted.push(text);
            }
            rank_of[id as usize] = u32::try_from(sorted.len() - 1).unwrap_or(u32::MAX);
        }
        let ranks = ids
            .into_iter()
            .map(|r| r.map(|id| rank_of[id as usize]))
            .collect();
        TermTexts {
            texts: sorted,
            ranks,
        }
    }

    /// The text of a rank.
    pub fn text(&self, rank: u32) -> &str {
        &self.texts[rank as usize]
    }
}

/// The order of `quads` by [`text_key`], and the order of their triples by
/// [`triple_text_key`] with each triple once (its first quad in that order): what
/// `sort_by_cached_key(text_key)` and, on its result, [`sort_triples`] give, as positions in
/// `quads` — compared by their terms' ranks ([`TermTexts`] of the same quads), the two sorts
/// on two threads, no quad moved or copied.
pub fn quad_and_triple_order(quads: &[Quad], texts: &TermTexts) -> (Vec<u32>, Vec<u32>) {
    let ranks = &texts.ranks;
    // Ties (the same text) keep the quads' order, as the stable sorts did; the triples' ties
    // are broken by the graph, which is where a quad sort put them.
    let by = |parts: [usize; 4]| {
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
