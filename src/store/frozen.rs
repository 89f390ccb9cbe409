//! A read-only copy of the loaded knowledge base for SPARQL: every distinct term once, and
//! the quads as four sorted arrays of term numbers (SPOG, POSG, OSPG, GSPO), so that a
//! pattern is a binary search and a run of adjacent entries. `medrd build` queries its store
//! thousands of times once it is loaded (checks, named queries, diagrams), and Oxigraph's
//! in-memory store answers a pattern by walking the list of quads of one of its terms
//! (issue 22: about 1.2 µs a subject's property, 270 ns a quad scanned); here it is a slice.
//!
//! The commands that only read load into it instead of a store (`store::read_only`): each
//! part of the import is numbered as it comes, and sorted into runs of the four orders while
//! the import makes the next; the rules run over it, and what they insert is merged in. Its
//! answers are the store's, term for term: a typed literal the store keeps by its value
//! (numbers, booleans, dates and times, durations) is held in the canonical form the store
//! gives back ("0.750"^^xsd:decimal as "0.75"), in the copy and in what a query asks for
//! alike, and a quad is held once. Only the order in which a pattern's quads come differs,
//! which a query without ORDER BY leaves open. A pattern's scan passing over quads that
//! do not match looks at the work's cancellation token ([`crate::store::cancelled_by`]) as it
//! goes: `serve` answers from a copy, under its time and memory limits.

use crate::ingest::quad_list::QuadList;
use oxigraph::model::{
    GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Quad, QuadRef, Term, TermRef,
};
use rustc_hash::FxHashMap;
use spareval::{ExpressionTerm, InternalQuad, QueryableDataset};
use sparopt::PredicateStatistics;
use std::sync::Arc;

/// The number of the default graph in a quad's graph position.
pub const DEFAULT_GRAPH: u32 = u32::MAX;

/// A term as the evaluator holds it: the number of a term of the copy, or a term it does not
/// hold (a constant of the query, a value computed by it). A term of the copy is never
/// `Other`, so equality is the terms' equality (SPARQL's `sameTerm`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FrozenTerm {
    Known(u32),
    Other(Arc<Term>),
}

/// The orders the quads are kept in; each array holds a quad's numbers in its order.
#[derive(Clone, Copy)]
enum Order {
    Spog,
    Posg,
    Ospg,
    Gspo,
}

/// The four orders, as they are numbered.
const ORDERS: [Order; 4] = [Order::Spog, Order::Posg, Order::Ospg, Order::Gspo];

impl Order {
    /// The positions of subject, predicate, object and graph in an entry of this order.
    const fn places(self) -> [usize; 4] {
        match self {
            Order::Spog => [0, 1, 2, 3],
            Order::Posg => [2, 0, 1, 3],
            Order::Ospg => [1, 2, 0, 3],
            Order::Gspo => [1, 2, 3, 0],
        }
    }

    /// A quad's entry in this order, from its [s, p, o, g].
    fn entry(self, q: [u32; 4]) -> [u32; 4] {
        let mut e = [0; 4];
        for (i, at) in self.places().into_iter().enumerate() {
            e[at] = q[i];
        }
        e
    }
}

/// The copy: the terms and the four orders.
pub struct Frozen {
    terms: Terms,
    orders: [Vec<[u32; 4]>; 4],
    predicates: FxHashMap<u32, PredicateStatistics>,
    instances: FxHashMap<u32, u64>,
}

/// The distinct terms, each numbered by its place, in the form the store keeps them
/// ([`canonical`]). Each is held once: the table of numbers finds a term by hashing it and
/// comparing it with the term at a number's place.
#[derive(Default)]
struct Terms {
    texts: Vec<Term>,
    ids: hashbrown::HashTable<u32>,
}

impl Terms {
    /// The number of a term, `None` if none is held.
    fn get(&self, t: TermRef<'_>) -> Option<u32> {
        if needs_canonical(t) {
            return self.find(canonical(t.into_owned()).as_ref());
        }
        self.find(t)
    }

    /// The number of a term, numbered now if none is held.
    fn id(&mut self, t: TermRef<'_>) -> u32 {
        if needs_canonical(t) {
            return self.id_of_canonical(canonical(t.into_owned()).as_ref());
        }
        self.id_of_canonical(t)
    }

    /// The number of a term in its canonical form.
    fn find(&self, t: TermRef<'_>) -> Option<u32> {
        let texts = &self.texts;
        self.ids
            .find(hashed(t), |i| texts[*i as usize].as_ref() == t)
            .copied()
    }

    /// [`Terms::id`] of a term in its canonical form.
    fn id_of_canonical(&mut self, t: TermRef<'_>) -> u32 {
        if let Some(i) = self.find(t) {
            return i;
        }
        let i = u32::try_from(self.texts.len())
            .ok()
            .filter(|i| *i != DEFAULT_GRAPH)
            .expect("fewer than 2^32 - 1 distinct terms");
        self.texts.push(t.into_owned());
        let texts = &self.texts;
        self.ids
            .insert_unique(hashed(t), i, |j| hashed(texts[*j as usize].as_ref()));
        i
    }
}

/// A term's hash in [`Terms`].
fn hashed(t: TermRef<'_>) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(t)
}

/// Makes a [`Frozen`] from quads given one by one or a part of the import at a time.
#[derive(Default)]
pub struct Builder {
    terms: Terms,
    /// Each quad's [s, p, o, g] not yet in `runs`, repeats included.
    spog: Vec<[u32; 4]>,
    /// Per order, sorted runs of the quads taken before `spog`'s, one after the other:
    /// sorted while the import makes its next parts, merged by [`Builder::finish`].
    runs: [Vec<[u32; 4]>; 4],
    /// How many quads, and how many terms, the copy it was reopened with held
    /// ([`Builder::reopen`]): its quads are the first run of each order.
    held: usize,
    held_terms: usize,
}

/// The first graph stating each triple taken by [`Builder::add_unless_restated`].
pub type Firsts = FxHashMap<[u32; 3], u32>;

/// How many quads [`Builder`] takes before it sorts them into a run of each order: a run
/// sorts in the cache's reach, and a national load makes ten of them.
const RUN: usize = 1 << 17;

impl Builder {
    /// Takes one quad, its literals in the form the store keeps them ([`canonical`]).
    pub fn add(&mut self, q: QuadRef<'_>) {
        let g = match q.graph_name {
            GraphNameRef::NamedNode(n) => self.id(n.into()),
            GraphNameRef::BlankNode(b) => self.id(b.into()),
            GraphNameRef::DefaultGraph => DEFAULT_GRAPH,
        };
        let s = self.id(q.subject.into());
        let p = self.id(q.predicate.into());
        let o = self.id(q.object);
        self.spog.push([s, p, o, g]);
    }

    /// Takes every quad of a part of the import, each distinct term of it numbered once.
    pub fn add_list(&mut self, list: &QuadList) {
        let numbered = list.numbered(|t| match t {
            Some(t) => self.id(t),
            None => DEFAULT_GRAPH,
        });
        self.spog.extend(numbered);
        if self.spog.len() >= RUN {
            self.sort_run();
        }
    }

    /// Sorts the quads taken since the last run into a run of each order.
    fn sort_run(&mut self) {
        for order in ORDERS {
            let run = &mut self.runs[order as usize];
            let from = run.len();
            run.extend(self.spog.iter().map(|q| order.entry(*q)));
            run[from..].sort_unstable_by_key(|e| key(*e));
        }
        self.spog.clear();
    }

    fn id(&mut self, t: TermRef<'_>) -> u32 {
        self.terms.id(t)
    }

    /// A builder holding `frozen`'s terms and quads (each order one sorted run), to take more:
    /// the `--with` files, after our graphs ([`Builder::add_unless_restated`]).
    pub fn reopen(frozen: Frozen) -> Builder {
        Builder {
            held: frozen.len(),
            held_terms: frozen.terms.texts.len(),
            terms: frozen.terms,
            spog: Vec::new(),
            runs: frozen.orders,
        }
    }

    /// Takes `q` unless a graph other than its own states its triple already, as the store
    /// loads a `--with` file: a quad the builder was reopened with, or one this function took
    /// before, which it looks up in `firsts` (the first graph of each triple) when given one —
    /// needed only where two graphs come after the reopening (several files) — and notes
    /// there when `remember` (not for the last file: no file after it looks). Returns whether
    /// `q` was left out so.
    pub fn add_unless_restated(
        &mut self,
        q: QuadRef<'_>,
        firsts: Option<&mut Firsts>,
        remember: bool,
    ) -> bool {
        self.add(q);
        let [s, p, o, g] = *self.spog.last().expect("a quad was just added");
        let elsewhere = |first: &u32| *first != g;
        let restated = self.held_elsewhere([s, p, o], g)
            || firsts.is_some_and(|f| match remember {
                true => elsewhere(f.entry([s, p, o]).or_insert(g)),
                false => f.get(&[s, p, o]).is_some_and(elsewhere),
            });
        if restated {
            self.spog.pop();
        } else if self.spog.len() >= RUN {
            self.sort_run();
        }
        restated
    }

    /// Whether a quad the builder was reopened with states the triple in a graph other than
    /// `g` (a binary search of its SPOG run; none when a term of the triple is newer).
    fn held_elsewhere(&self, triple: [u32; 3], g: u32) -> bool {
        if triple.iter().any(|t| *t as usize >= self.held_terms) {
            return false;
        }
        stating(&self.runs[Order::Spog as usize][..self.held], triple)
            .iter()
            .any(|e| e[3] != g)
    }

    /// The copy: each quad once, in four orders, with the planner's counts.
    pub fn finish(mut self) -> Frozen {
        self.sort_run();
        let Builder { terms, runs, .. } = self;
        // Each order's runs merged: the standard library's stable sort finds sorted runs and
        // merges them.
        let orders = per_order(runs, |mut v, _| {
            v.sort_by_key(|e| key(*e));
            v.dedup();
            v.shrink_to_fit();
            v
        });
        Frozen::counted(terms, orders)
    }
}

/// The entries of a sorted SPOG run that state `triple` (one per graph): a binary search.
fn stating(spog: &[[u32; 4]], triple: [u32; 3]) -> &[[u32; 4]] {
    let at = spog.partition_point(|e| e[..3] < triple[..]);
    let len = spog[at..].partition_point(|e| e[..3] == triple[..]);
    &spog[at..at + len]
}

/// `f` applied to each order's entries (with the order), two of the orders on another thread.
fn per_order(
    orders: [Vec<[u32; 4]>; 4],
    f: impl Fn(Vec<[u32; 4]>, Order) -> Vec<[u32; 4]> + Sync,
) -> [Vec<[u32; 4]>; 4] {
    let [spog, posg, ospg, gspo] = orders;
    let f = &f;
    std::thread::scope(|scope| {
        let other = scope.spawn(move || (f(posg, Order::Posg), f(ospg, Order::Ospg)));
        let (spog, gspo) = (f(spog, Order::Spog), f(gspo, Order::Gspo));
        let (posg, ospg) = other
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        [spog, posg, ospg, gspo]
    })
}

/// An entry as one number, ordered as the entries are (the first position highest): sorted
/// by it, two comparisons of machine words where an entry's took up to four.
fn key([a, b, c, d]: [u32; 4]) -> u128 {
    (u128::from(a) << 96) | (u128::from(b) << 64) | (u128::from(c) << 32) | u128::from(d)
}

/// `old` with the entries of `new` (each once), both sorted: for the few quads a rule adds to
/// many, a merge instead of a sort of them all.
fn merged(old: Vec<[u32; 4]>, mut new: Vec<[u32; 4]>) -> Vec<[u32; 4]> {
    new.sort_unstable_by_key(|e| key(*e));
    new.dedup();
    if new.is_empty() {
        return old;
    }
    let mut out = Vec::with_capacity(old.len() + new.len());
    let (mut a, mut b) = (old.into_iter().peekable(), new.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x < y => a.next(),
            (Some(x), Some(y)) if x > y => b.next(),
            (Some(_), Some(_)) => {
                b.next();
                a.next()
            }
            (Some(_), None) => a.next(),
            (None, _) => b.next(),
        };
        match next {
            Some(e) => out.push(e),
            None => return out,
        }
    }
}

impl Frozen {
    fn counted(terms: Terms, orders: [Vec<[u32; 4]>; 4]) -> Self {
        let mut frozen = Frozen {
            terms,
            orders,
            predicates: FxHashMap::default(),
            instances: FxHashMap::default(),
        };
        frozen.count(None);
        frozen
    }

    /// This copy with `quads` added, each once (those it holds already left out), and its
    /// counts taken again: for what a rule inserts.
    pub fn extended(self, quads: impl IntoIterator<Item = Quad>) -> Frozen {
        let Frozen {
            terms,
            orders,
            predicates,
            instances,
        } = self;
        let mut more = Builder {
            terms,
            ..Builder::default()
        };
        for q in quads {
            more.add(q.as_ref());
        }
        let Builder { terms, spog, .. } = more;
        let orders = per_order(orders, |old, order| {
            merged(old, spog.iter().map(|q| order.entry(*q)).collect())
        });
        let mut frozen = Frozen {
            terms,
            orders,
            predicates,
            instances,
        };
        // Only the counts of the predicates given quads change.
        frozen.count(Some(&spog.iter().map(|q| q[1]).collect()));
        frozen
    }

    /// This copy without the quads of the `files`' graphs (given in the order they were
    /// loaded) whose triple a graph before them states too, among the triples of `quads` (what
    /// the rules inserted): ours, any graph not in `files`, come first, then each file's in
    /// its order. A file's triple that another graph stated was left out as the file was
    /// loaded ([`Builder::add_unless_restated`]); the rules run after, and may derive into
    /// one graph what a file states in another. Returns the copy and how many quads each
    /// file's graph lost.
    pub fn without_restated(self, quads: &[Quad], files: &[NamedNode]) -> (Frozen, Vec<usize>) {
        let mut lost = vec![0; files.len()];
        let ranks: FxHashMap<u32, usize> = files
            .iter()
            .enumerate()
            .filter_map(|(i, g)| Some((self.terms.get(g.as_ref().into())?, i + 1)))
            .collect();
        let rank = |g: u32| ranks.get(&g).copied().unwrap_or(0);
        let spog = &self.orders[Order::Spog as usize];
        let mut gone = Vec::new();
        for q in quads {
            let ids = [
                self.terms.get(q.subject.as_ref().into()),
                self.terms.get(q.predicate.as_ref().into()),
                self.terms.get(q.object.as_ref()),
            ];
            let [Some(s), Some(p), Some(o)] = ids else {
                continue;
            };
            let holders = stating(spog, [s, p, o]);
            let Some(first) = holders.iter().map(|e| rank(e[3])).min() else {
                continue;
            };
            gone.extend(holders.iter().filter(|e| rank(e[3]) > first));
        }
        gone.sort_unstable_by_key(|e| key(*e));
        gone.dedup();
        if gone.is_empty() {
            return (self, lost);
        }
        for e in &gone {
            lost[rank(e[3]) - 1] += 1;
        }
        let Frozen {
            terms,
            orders,
            mut predicates,
            instances,
        } = self;
        let orders = per_order(orders, |mut entries, order| {
            let mut out: Vec<[u32; 4]> = gone.iter().map(|q| order.entry(*q)).collect();
            out.sort_unstable_by_key(|e| key(*e));
            entries.retain(|e| out.binary_search_by_key(&key(*e), |o| key(*o)).is_err());
            entries
        });
        let changed: rustc_hash::FxHashSet<u32> = gone.iter().map(|e| e[1]).collect();
        predicates.retain(|p, _| !changed.contains(p));
        let mut frozen = Frozen {
            terms,
            orders,
            predicates,
            instances,
        };
        frozen.count(Some(&changed));
        (frozen, lost)
    }

    /// The number of quads of each named graph (the default graph's left out), by graph.
    pub fn graph_sizes(&self) -> Vec<(&Term, usize)> {
        self.graph_runs()
            .into_iter()
            .map(|(g, n)| (&self.terms.texts[g as usize], n))
            .collect()
    }

    /// The number of each named graph and how many quads it holds, in the order of the
    /// numbers: one binary search a graph over the GSPO order, never a walk of its quads.
    fn graph_runs(&self) -> Vec<(u32, usize)> {
        let gspo = &self.orders[Order::Gspo as usize];
        let mut runs = Vec::new();
        let mut at = 0;
        while at < gspo.len() {
            let g = gspo[at][0];
            let n = gspo[at..].partition_point(|e| e[0] == g);
            if g != DEFAULT_GRAPH {
                runs.push((g, n));
            }
            at += n;
        }
        runs
    }

    /// The number of quads of one named graph.
    pub fn graph_len(&self, graph: NamedNodeRef<'_>) -> usize {
        let Some(g) = self.terms.get(graph.into()) else {
            return 0;
        };
        let gspo = &self.orders[Order::Gspo as usize];
        let at = gspo.partition_point(|e| e[0] < g);
        gspo[at..].partition_point(|e| e[0] == g)
    }
}

/// The planner's counts, for what is planned over the copy before a [`super::stats::StoreStatistics`]
/// holds it (the rules of a load).
impl sparopt::Statistics for Frozen {
    fn predicate(&self, predicate: NamedNodeRef<'_>) -> Option<PredicateStatistics> {
        Some(Frozen::predicate(self, &predicate.into_owned().into()))
    }

    fn instances(&self, class: NamedNodeRef<'_>) -> Option<u64> {
        Some(Frozen::instances(self, &class.into_owned().into()))
    }
}

impl Frozen {
    /// The distinct terms; a term's number is its position here.
    pub fn terms(&self) -> &[Term] {
        &self.terms.texts
    }

    /// Every quad once, as the numbers of its subject, predicate, object and graph
    /// ([`DEFAULT_GRAPH`] for the default graph), sorted.
    pub fn numbered(&self) -> &[[u32; 4]] {
        &self.orders[Order::Spog as usize]
    }

    /// The quad at position `i` of [`Frozen::numbered`], borrowing its terms.
    pub fn quad_ref(&self, i: usize) -> QuadRef<'_> {
        self.quad_of(self.orders[Order::Spog as usize][i])
    }

    /// The quad of these numbers ([s, p, o, g]), borrowing its terms.
    fn quad_of(&self, [s, p, o, g]: [u32; 4]) -> QuadRef<'_> {
        let resource = |i: u32| match &self.terms.texts[i as usize] {
            Term::NamedNode(n) => NamedOrBlankNodeRef::from(n.as_ref()),
            Term::BlankNode(b) => NamedOrBlankNodeRef::from(b.as_ref()),
            t => unreachable!("a subject or graph that is a literal: {t}"),
        };
        let Term::NamedNode(predicate) = &self.terms.texts[p as usize] else {
            unreachable!("a predicate that is not an IRI")
        };
        let graph = match g {
            DEFAULT_GRAPH => GraphNameRef::DefaultGraph,
            g => resource(g).into(),
        };
        QuadRef::new(
            resource(s),
            predicate.as_ref(),
            self.terms.texts[o as usize].as_ref(),
            graph,
        )
    }

    /// Every quad, in the order of subject, predicate, object and graph numbers.
    pub fn quads(&self) -> Vec<Quad> {
        (0..self.len())
            .map(|i| self.quad_ref(i).into_owned())
            .collect()
    }

    /// The planner's counts, as `stats` takes them by SPARQL over the union of the graphs
    /// (every quad, the default graph's included: see [`Matches`]): per predicate its quads
    /// and distinct subjects and objects, per class the quads typing something with it.
    /// Those of the predicates in `only` are taken again, every one's without it.
    fn count(&mut self, only: Option<&rustc_hash::FxHashSet<u32>>) {
        let rdf_type = self.terms.get(oxigraph::model::vocab::rdf::TYPE.into());
        let posg = &self.orders[Order::Posg as usize];
        let mut at = 0;
        while at < posg.len() {
            let p = posg[at][0];
            let end = at + posg[at..].partition_point(|e| e[0] == p);
            if only.is_some_and(|only| !only.contains(&p)) {
                at = end;
                continue;
            }
            if rdf_type == Some(p) {
                self.instances.clear();
            }
            let (mut triples, mut objects, mut last_o) = (0, 0, None);
            let mut subjects = rustc_hash::FxHashSet::default();
            for e in &posg[at..end] {
                triples += 1;
                if last_o != Some(e[1]) {
                    objects += 1;
                    last_o = Some(e[1]);
                }
                if rdf_type == Some(p) {
                    *self.instances.entry(e[1]).or_default() += 1;
                }
                subjects.insert(e[2]);
            }
            self.predicates.insert(
                p,
                PredicateStatistics {
                    triples,
                    subjects: subjects.len() as u64,
                    objects,
                },
            );
            at = end;
        }
    }

    /// The counts of a predicate for the planner (all zeros for one no quad has).
    pub fn predicate(&self, predicate: &Term) -> PredicateStatistics {
        self.terms
            .get(predicate.as_ref())
            .and_then(|p| self.predicates.get(&p).copied())
            .unwrap_or(PredicateStatistics {
                triples: 0,
                subjects: 0,
                objects: 0,
            })
    }

    /// How many quads type something with `class`.
    pub fn instances(&self, class: &Term) -> u64 {
        self.terms
            .get(class.as_ref())
            .and_then(|c| self.instances.get(&c).copied())
            .unwrap_or(0)
    }

    /// How many quads the copy holds.
    pub fn len(&self) -> usize {
        self.orders[0].len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.orders[0].is_empty()
    }
}

/// The copy, as a dataset for Oxigraph's SPARQL evaluator.
#[derive(Clone)]
pub struct View(pub Arc<Frozen>);

/// The quads of one pattern: a run of one order, filtered by what the run's prefix does not
/// fix.
pub struct Matches {
    frozen: Arc<Frozen>,
    order: Order,
    at: usize,
    end: usize,
    /// The numbers asked for, as [s, p, o, g] (`None`: any; no graph asked for is every
    /// graph, the default one included, as Oxigraph's store answers the evaluator too: it
    /// sets the default graph's quads aside itself where SPARQL wants only named graphs).
    wanted: [Option<u32>; 4],
}

/// How many entries a pattern's scan passes between two looks at the cancellation token.
const CANCEL_EVERY: usize = 4096;

/// A pattern's scan stopped because the work reading the copy was cancelled
/// ([`crate::store::cancelled_by`]): under `serve`, its time or memory limit.
#[derive(Debug, thiserror::Error)]
#[error("the query was stopped (its time or memory limit)")]
pub struct Stopped;

impl Iterator for Matches {
    type Item = Result<InternalQuad<FrozenTerm>, Stopped>;

    fn next(&mut self) -> Option<Self::Item> {
        let entries = &self.frozen.orders[self.order as usize];
        let places = self.order.places();
        while self.at < self.end {
            // A run passed over without a match (a predicate's quads in other graphs) is as
            // long as the copy: the scan looks at the token as it goes, and ends in an error,
            // never in a short answer that looks whole.
            if self.at.is_multiple_of(CANCEL_EVERY) && crate::store::cancelled() {
                self.at = self.end;
                return Some(Err(Stopped));
            }
            let e = entries[self.at];
            self.at += 1;
            let q = places.map(|at| e[at]);
            let fits = (0..4).all(|i| self.wanted[i].is_none_or(|w| w == q[i]));
            if fits {
                return Some(Ok(InternalQuad {
                    subject: FrozenTerm::Known(q[0]),
                    predicate: FrozenTerm::Known(q[1]),
                    object: FrozenTerm::Known(q[2]),
                    graph_name: (q[3] != DEFAULT_GRAPH).then_some(FrozenTerm::Known(q[3])),
                }));
            }
        }
        None
    }
}

impl Frozen {
    /// The quads matching a pattern, as [`Store::quads_for_pattern`] gives them (no graph:
    /// every graph, the default one included), in the copy's order.
    ///
    /// [`Store::quads_for_pattern`]: oxigraph::store::Store::quads_for_pattern
    pub fn quads_for_pattern(
        self: &Arc<Self>,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<TermRef<'_>>,
        graph_name: Option<GraphNameRef<'_>>,
    ) -> impl Iterator<Item = Result<Quad, Stopped>> + use<> {
        let id = |t: Option<TermRef<'_>>| match t {
            None => Some(None),
            Some(t) => self.terms.get(t).map(Some),
        };
        let g = match graph_name {
            None => Some(None),
            Some(GraphNameRef::DefaultGraph) => Some(Some(DEFAULT_GRAPH)),
            Some(GraphNameRef::NamedNode(n)) => id(Some(n.into())),
            Some(GraphNameRef::BlankNode(b)) => id(Some(b.into())),
        };
        let wanted = (|| {
            Some([
                id(subject.map(Into::into))?,
                id(predicate.map(Into::into))?,
                id(object)?,
                g?,
            ])
        })();
        let matches = match wanted {
            Some(wanted) => View(self.clone()).matches(wanted),
            None => View(self.clone()).none(),
        };
        let frozen = self.clone();
        matches.map(move |q| {
            let q = q?;
            let n = |t: FrozenTerm| match t {
                FrozenTerm::Known(i) => i,
                FrozenTerm::Other(_) => unreachable!("a copy's quad holds its own terms"),
            };
            let g = q.graph_name.map_or(DEFAULT_GRAPH, n);
            Ok(frozen
                .quad_of([n(q.subject), n(q.predicate), n(q.object), g])
                .into_owned())
        })
    }
}

impl View {
    /// The run of quads matching the pattern's bound positions ([s, p, o, g]).
    fn matches(&self, wanted: [Option<u32>; 4]) -> Matches {
        let [s, p, o, g] = wanted;
        let (order, prefix): (Order, Vec<u32>) = match (s, p, o, g) {
            (Some(s), Some(p), Some(o), _) => (Order::Spog, vec![s, p, o]),
            (Some(s), Some(p), None, _) => (Order::Spog, vec![s, p]),
            (Some(s), None, Some(o), _) => (Order::Ospg, vec![o, s]),
            (Some(s), None, None, _) => (Order::Spog, vec![s]),
            (None, Some(p), Some(o), _) => (Order::Posg, vec![p, o]),
            (None, Some(p), None, _) => (Order::Posg, vec![p]),
            (None, None, Some(o), _) => (Order::Ospg, vec![o]),
            (None, None, None, Some(g)) => (Order::Gspo, vec![g]),
            (None, None, None, None) => (Order::Spog, vec![]),
        };
        let entries = &self.0.orders[order as usize];
        let n = prefix.len();
        let at = entries.partition_point(|e| e[..n] < prefix[..]);
        let end = at + entries[at..].partition_point(|e| e[..n] == prefix[..]);
        Matches {
            frozen: self.0.clone(),
            order,
            at,
            end,
            wanted,
        }
    }

    fn none(&self) -> Matches {
        Matches {
            frozen: self.0.clone(),
            order: Order::Spog,
            at: 0,
            end: 0,
            wanted: [None; 4],
        }
    }
}

/// A term in the form the store keeps it: a literal of a datatype the store encodes by its
/// value (numbers, booleans, dates and times, durations) in that value's canonical form.
fn canonical(term: Term) -> Term {
    if needs_canonical(term.as_ref()) {
        Term::from(ExpressionTerm::from(term))
    } else {
        term
    }
}

/// Whether the store keeps this term by its value: a literal of an XML Schema datatype other
/// than `xsd:string` (its canonical form may differ from its text).
fn needs_canonical(term: TermRef<'_>) -> bool {
    match term {
        TermRef::Literal(l) => {
            l.language().is_none()
                && l.datatype() != oxigraph::model::vocab::xsd::STRING
                && l.datatype().as_str().starts_with(XSD)
        }
        _ => false,
    }
}

/// XML Schema's namespace: the datatypes the store and the evaluator read by value are
/// among its.
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

impl QueryableDataset<'static> for View {
    type InternalTerm = FrozenTerm;
    type Error = Stopped;

    fn internal_quads_for_pattern(
        &self,
        subject: Option<&FrozenTerm>,
        predicate: Option<&FrozenTerm>,
        object: Option<&FrozenTerm>,
        graph_name: Option<Option<&FrozenTerm>>,
    ) -> impl Iterator<Item = Result<InternalQuad<FrozenTerm>, Stopped>> + use<> {
        let known = |t: Option<&FrozenTerm>| match t {
            None => Ok(None),
            Some(FrozenTerm::Known(i)) => Ok(Some(*i)),
            Some(FrozenTerm::Other(_)) => Err(()),
        };
        let g = match graph_name {
            None => Ok(None),
            Some(None) => Ok(Some(DEFAULT_GRAPH)),
            Some(Some(g)) => known(Some(g)),
        };
        match (known(subject), known(predicate), known(object), g) {
            (Ok(s), Ok(p), Ok(o), Ok(g)) => self.matches([s, p, o, g]),
            _ => self.none(),
        }
    }

    fn internal_named_graphs(&self) -> impl Iterator<Item = Result<FrozenTerm, Stopped>> + use<> {
        let graphs = self.0.graph_runs();
        graphs.into_iter().map(|(g, _)| Ok(FrozenTerm::Known(g)))
    }

    fn internalize_term(&self, term: Term) -> Result<FrozenTerm, Stopped> {
        let term = canonical(term);
        Ok(match self.0.terms.get(term.as_ref()) {
            Some(i) => FrozenTerm::Known(i),
            None => FrozenTerm::Other(Arc::new(term)),
        })
    }

    fn externalize_term(&self, term: FrozenTerm) -> Result<Term, Stopped> {
        Ok(match term {
            FrozenTerm::Known(i) => self.0.terms.texts[i as usize].clone(),
            FrozenTerm::Other(t) => Arc::unwrap_or_clone(t),
        })
    }
}

#[cfg(test)]
mod tests {
    //! Shapes the project's data does not have (a quad in the default graph, literals the
    //! store reads by value written in other forms, ill-formed ones): the copy and a store of
    //! the same quads give the same answers. The project's data is compared in
    //! `tests/suite/frozen.rs`.

    use super::{Builder, View};
    use oxigraph::io::{RdfFormat, RdfParser};
    use oxigraph::model::Quad;
    use oxigraph::sparql::{QueryResults, SparqlEvaluator};
    use oxigraph::store::Store;
    use std::sync::Arc;

    const QUADS: &str = r#"
        <http://x/a> <http://x/p> "5"^^<http://www.w3.org/2001/XMLSchema#int> .
        <http://x/a> <http://x/p> "05"^^<http://www.w3.org/2001/XMLSchema#integer> <http://x/g1> .
        <http://x/a> <http://x/p> "0.750"^^<http://www.w3.org/2001/XMLSchema#decimal> <http://x/g1> .
        <http://x/b> <http://x/p> "x"^^<http://www.w3.org/2001/XMLSchema#integer> <http://x/g2> .
        <http://x/b> <http://x/p> "-0"^^<http://www.w3.org/2001/XMLSchema#double> <http://x/g2> .
        <http://x/b> <http://x/p> "NaN"^^<http://www.w3.org/2001/XMLSchema#float> <http://x/g2> .
        <http://x/b> <http://x/q> "2024-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTimeStamp> <http://x/g2> .
        <http://x/b> <http://x/q> "text"^^<http://www.w3.org/2001/XMLSchema#string> <http://x/g2> .
        <http://x/b> <http://x/q> "Text"@EN-gb <http://x/g2> .
        _:n <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://x/C> .
        _:n <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://x/C> <http://x/g1> .
        <http://x/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://x/C> <http://x/g2> .
        <http://x/a> <http://x/r> <http://x/b> <http://x/g1> .
        <http://x/a> <http://x/r> <http://x/b> <http://x/g2> .
    "#;

    fn quads() -> Vec<Quad> {
        RdfParser::from_format(RdfFormat::NQuads)
            .for_reader(QUADS.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// Each solution as text, sorted: the copy's order of quads is its own.
    fn rows(results: QueryResults<'_>) -> Vec<String> {
        let QueryResults::Solutions(solutions) = results else {
            panic!("not a SELECT")
        };
        let mut rows: Vec<String> = solutions
            .map(|s| {
                let s = s.unwrap();
                s.iter().map(|(v, t)| format!("{v}={t} ")).collect()
            })
            .collect();
        rows.sort();
        rows
    }

    #[test]
    fn the_copy_answers_as_a_store_of_the_same_quads() {
        let store = Store::new().unwrap();
        store.extend(quads()).unwrap();
        let mut copy = Builder::default();
        quads().iter().for_each(|q| copy.add(q.as_ref()));
        let copy = Arc::new(copy.finish());
        assert_eq!(copy.len(), store.len().unwrap());
        for query in [
            "SELECT * WHERE { ?s ?p ?o }",
            "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
            "SELECT ?g WHERE { GRAPH ?g { } }",
            "SELECT * WHERE { ?s <http://x/p> 5 }",
            "SELECT * WHERE { ?s <http://x/p> \"5\"^^<http://www.w3.org/2001/XMLSchema#byte> }",
            "SELECT * WHERE { ?s <http://x/p> 0.75 }",
            "SELECT * WHERE { ?s <http://x/p> \"x\"^^<http://www.w3.org/2001/XMLSchema#integer> }",
            "SELECT * WHERE { ?s ?p \"2024-01-01T00:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> }",
            "SELECT * WHERE { ?s ?p \"text\" }",
            "SELECT * WHERE { ?s ?p \"Text\"@en-GB }",
            "SELECT * WHERE { ?s a <http://x/C> }",
            "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o > 1) } GROUP BY ?s",
            "SELECT * WHERE { ?s <http://x/r> ?b . ?b ?p ?o BIND(STR(?o) AS ?t) FILTER(?t != \"\") }",
            "SELECT * WHERE { ?s ?p ?o FILTER(?o = <http://x/nowhere>) }",
            "SELECT * WHERE { VALUES ?s { <http://x/a> <http://x/nowhere> } ?s ?p ?o }",
        ] {
            let run = |on_copy: bool| {
                let mut prepared = SparqlEvaluator::new().parse_query(query).unwrap();
                prepared.dataset_mut().set_default_graph_as_union();
                let results = if on_copy {
                    prepared.on_queryable_dataset(View(copy.clone())).execute()
                } else {
                    prepared.on_store(&store).execute()
                };
                rows(results.unwrap())
            };
            assert_eq!(run(true), run(false), "{query}");
        }
        // The planner's counts: every graph, the default one included.
        let p = oxigraph::model::NamedNode::new_unchecked("http://x/p");
        let counts = copy.predicate(&p.into());
        assert_eq!((counts.triples, counts.subjects, counts.objects), (6, 2, 5));
        let c = oxigraph::model::NamedNode::new_unchecked("http://x/C");
        assert_eq!(copy.instances(&c.into()), 3);
    }

    /// A pattern whose run of one order holds many quads and no match (a predicate's quads,
    /// every one in another graph) is passed over looking at the cancellation token: it ends
    /// in `Stopped` once the work is cancelled, and in no match while it is not.
    #[test]
    fn a_scan_over_quads_that_do_not_match_stops_when_cancelled() {
        let mut copy = Builder::default();
        let p = oxigraph::model::NamedNode::new_unchecked("http://x/p");
        let (g1, g2) = (
            oxigraph::model::NamedNode::new_unchecked("http://x/g1"),
            oxigraph::model::NamedNode::new_unchecked("http://x/g2"),
        );
        for i in 0..3 * super::CANCEL_EVERY {
            let s = oxigraph::model::NamedNode::new_unchecked(format!("http://x/s{i}"));
            copy.add(Quad::new(s, p.clone(), p.clone(), g1.clone()).as_ref());
        }
        // Numbered last, so it comes last in the run of `p`: the scan passes over the others.
        let last = oxigraph::model::NamedNode::new_unchecked("http://x/last");
        copy.add(Quad::new(last, p.clone(), p.clone(), g2.clone()).as_ref());
        let copy = Arc::new(copy.finish());
        let scan = || {
            copy.quads_for_pattern(None, Some(p.as_ref()), None, Some(g2.as_ref().into()))
                .collect::<Result<Vec<_>, _>>()
        };
        assert_eq!(scan().unwrap().len(), 1);
        let token = spareval::CancellationToken::new();
        token.cancel();
        let stopped = crate::store::cancelled_by(token, scan);
        assert!(matches!(stopped, Err(super::Stopped)));
    }
}
