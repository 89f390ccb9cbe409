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

use crate::store::frozen::{Frozen, DEFAULT_GRAPH};
use oxigraph::model::{GraphName, NamedOrBlankNode, Quad, Term, TermRef, Triple};

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
        let texts: Vec<String> = terms
            .iter()
            .map(|t| t.map_or_else(|| GraphName::DefaultGraph.to_string(), |t| t.to_string()))
            .collect();
        let (sorted, rank_of) = ranked(texts);
        let ranks = ids
            .into_iter()
            .map(|r| r.map(|id| rank_of[id as usize]))
            .collect();
        TermTexts {
            texts: sorted,
            ranks,
        }
    }

    /// [`TermTexts::of`] the quads of a read-only copy of the store, in its order
    /// ([`Frozen::numbered`]): its terms are distinct already, so each is written out once
    /// without being looked up.
    pub fn of_copy(copy: &Frozen) -> Self {
        let numbered = copy.numbered();
        let default = numbered.iter().any(|q| q[3] == DEFAULT_GRAPH);
        let mut texts: Vec<String> = copy.terms().iter().map(ToString::to_string).collect();
        // Last, so that its rank is the last of `rank_of`.
        if default {
            texts.push(GraphName::DefaultGraph.to_string());
        }
        let (sorted, rank_of) = ranked(texts);
        let default_rank = rank_of.last().copied().unwrap_or(0);
        let rank = |id: u32| {
            if id == DEFAULT_GRAPH {
                default_rank
            } else {
                rank_of[id as usize]
            }
        };
        let ranks = numbered
            .iter()
            .map(|[s, p, o, g]| [rank(*g), rank(*s), rank(*p), rank(*o)])
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

/// The distinct texts, sorted, and the rank there of each text given (its position in
/// `texts`). Texts alike (none among terms: a term's N-Triples text is its own) would share
/// a rank, as they did when the ranks were taken from the texts themselves.
fn ranked(mut texts: Vec<String>) -> (Vec<String>, Vec<u32>) {
    let mut by_text: Vec<u32> = (0..u32::try_from(texts.len()).unwrap_or(u32::MAX)).collect();
    by_text.sort_unstable_by(|a, b| texts[*a as usize].cmp(&texts[*b as usize]));
    let mut rank_of = vec![0u32; texts.len()];
    let mut sorted: Vec<String> = Vec::with_capacity(texts.len());
    for id in by_text {
        let text = std::mem::take(&mut texts[id as usize]);
        if sorted.last() != Some(&text) {
            sorted.push(text);
        }
        rank_of[id as usize] = u32::try_from(sorted.len() - 1).unwrap_or(u32::MAX);
    }
    (sorted, rank_of)
}

/// The order of the quads `texts` ranks by [`text_key`], and the order of their triples by
/// [`triple_text_key`] with each triple once (its first quad in that order): what
/// `sort_by_cached_key(text_key)` and, on its result, [`sort_triples`] give, as positions in
/// those quads — compared by their terms' ranks ([`TermTexts::ranks`]), the two sorts on two
/// threads, no quad moved or copied.
pub fn quad_and_triple_order(texts: &TermTexts) -> (Vec<u32>, Vec<u32>) {
    let ranks = &texts.ranks;
    // 2^32 quads would not fit in memory.
    assert!(u32::try_from(ranks.len()).is_ok(), "fewer than 2^32 quads");
    let packing = Packing::of(texts.texts.len(), ranks.len());
    std::thread::scope(|scope| {
        let triples = scope.spawn(|| packing.order(ranks, [1, 2, 3, 0], true));
        let order = packing.order(ranks, [0, 1, 2, 3], false);
        let triples = triples
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        (order, triples)
    })
}

/// How [`quad_and_triple_order`] sorts: by each quad's four ranks packed into one integer in
/// the order compared, beside its position, sorted by value without looking anything up.
/// Ties (the same text) keep the quads' order, as the stable sorts did; the triples' ties are
/// broken by the graph, which is where a quad sort put them, and a triple's quads share its
/// three ranks (a rank is a text, and a term's N-Triples text is its own).
#[derive(Clone, Copy)]
enum Packing {
    /// The position in the low bits of the same `u128` (16 bytes a quad): when four ranks
    /// and a position fit, as they do below 2^24 distinct terms.
    Position { rank_bits: u32, position_bits: u32 },
    /// The position beside the ranks (32 bytes a quad).
    Beside,
}

impl Packing {
    fn of(terms: usize, quads: usize) -> Packing {
        let bits = |n: usize| usize::BITS - n.saturating_sub(1).leading_zeros();
        let (rank_bits, position_bits) = (bits(terms).max(1), bits(quads).max(1));
        if 4 * rank_bits + position_bits <= 128 {
            Packing::Position {
                rank_bits,
                position_bits,
            }
        } else {
            Packing::Beside
        }
    }

    /// The positions of `ranks` sorted by the ranks `parts`, in that order; with `triples`,
    /// only the first of those whose first three parts are the same.
    fn order(self, ranks: &[[u32; 4]], parts: [usize; 4], triples: bool) -> Vec<u32> {
        let key = |r: &[u32; 4], bits: u32| {
            parts
                .iter()
                .fold(0u128, |k, &p| k << bits | u128::from(r[p]))
        };
        let positions = (0..).take(ranks.len());
        match self {
            Packing::Position {
                rank_bits,
                position_bits,
            } => {
                let mask = (1u128 << position_bits) - 1;
                let mut keyed: Vec<u128> = ranks
                    .iter()
                    .zip(positions)
                    .map(|(r, i): (_, u32)| key(r, rank_bits) << position_bits | u128::from(i))
                    .collect();
                keyed.sort_unstable();
                if triples {
                    keyed.dedup_by_key(|k| *k >> (position_bits + rank_bits));
                }
                keyed.into_iter().map(|k| (k & mask) as u32).collect()
            }
            Packing::Beside => {
                let mut keyed: Vec<(u128, u32)> = ranks
                    .iter()
                    .zip(positions)
                    .map(|(r, i)| (key(r, 32), i))
                    .collect();
                keyed.sort_unstable();
                if triples {
                    keyed.dedup_by_key(|(k, _)| *k >> 32);
                }
                keyed.into_iter().map(|(_, i)| i).collect()
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::Packing;

    /// The order the packed sorts replaced: positions sorted by a comparison of their ranks,
    /// ties by position; for triples, the first of each run of the same first three parts.
    fn compared(ranks: &[[u32; 4]], parts: [usize; 4], triples: bool) -> Vec<u32> {
        let mut order: Vec<u32> = (0..).take(ranks.len()).collect();
        order.sort_by(|a, b| {
            let (ra, rb) = (&ranks[*a as usize], &ranks[*b as usize]);
            parts
                .iter()
                .map(|&i| ra[i].cmp(&rb[i]))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(b))
        });
        if triples {
            order.dedup_by(|a, b| {
                let (ra, rb) = (&ranks[*a as usize], &ranks[*b as usize]);
                parts[..3].iter().all(|&i| ra[i] == rb[i])
            });
        }
        order
    }

    #[test]
    fn both_packings_give_the_order_of_the_comparison() {
        // Ranks with repeats (the same quad twice, one triple in several graphs), from a
        // small generator so that the test needs no data.
        let mut x = 0x2545_f491_u32;
        let mut next = |n: u32| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x % n
        };
        let mut ranks: Vec<[u32; 4]> = (0..5_000)
            .map(|_| [next(7), next(40), next(9), next(60)])
            .collect();
        ranks.extend_from_within(..300);
        for (i, r) in ranks.iter_mut().enumerate().take(400).skip(350) {
            r[0] = (i % 3) as u32;
        }
        let packed = Packing::of(60, ranks.len());
        assert!(matches!(packed, Packing::Position { .. }));
        assert!(matches!(Packing::of(1 << 30, 1 << 20), Packing::Beside));
        for packing in [packed, Packing::Beside] {
            for (parts, triples) in [([0, 1, 2, 3], false), ([1, 2, 3, 0], true)] {
                assert_eq!(
                    packing.order(&ranks, parts, triples),
                    compared(&ranks, parts, triples)
                );
            }
        }
    }
}
