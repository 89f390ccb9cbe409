//! The store's counts for the query planner: per predicate its triples and distinct subjects
//! and objects, per class its instances — so that a join starts from the few rows a query is
//! about, not from the largest predicate of the store (vendor/sparopt, patch 3).
//!
//! On the command line each count is taken the first time a planning asks for it (one SPARQL
//! count over that predicate's triples, about 0.5 µs a triple in memory) and kept: the stores
//! medrd queries are not written after they are loaded. Plannings on other threads wait only
//! for a count they need too. `serve` over a store takes every count ahead on a thread of its own
//! ([`StoreStatistics::count_ahead`]) and a request never counts: until a count is there,
//! and for an IRI the store does not have, its planning guesses as upstream does — so a
//! request is never held by a count it cannot cancel, and clients cannot grow the cache.
//! A count that cannot be taken (a storage error, a panic) is left unknown. A knowledge base
//! loaded for reading only is a read-only copy instead of a store
//! ([`StoreStatistics::of_copy`]): the copy answers its queries and gives every count, taken
//! from its sorted quads as it was made.

use oxigraph::model::{NamedNodeRef, Term};
use oxigraph::sparql::{PreparedSparqlQuery, QueryEvaluationError, QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use sparopt::{PredicateStatistics, Statistics};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

/// A count, taken once by whichever planning asks first.
type Counted<T> = Arc<OnceLock<Option<T>>>;

/// Counts keyed by IRI, looked up without allocating.
type Known<T> = RwLock<HashMap<Box<str>, Counted<T>>>;

/// What answers the queries: a store, or a read-only copy ([`super::frozen`]).
enum Backend {
    Store(Store),
    Copy(Arc<super::frozen::Frozen>),
}

/// Counts of one store or copy, and the one way it is queried ([`StoreStatistics::evaluate`]).
pub struct StoreStatistics {
    backend: Backend,
    predicates: Known<PredicateStatistics>,
    classes: Known<u64>,
    /// Set by [`Self::count_ahead`]: plannings only read the counts, never take one.
    ahead: AtomicBool,
}

impl StoreStatistics {
    pub fn new(store: &Store) -> Arc<Self> {
        Self::with(Backend::Store(store.clone()))
    }

    /// A read-only copy's: it gives every count itself.
    pub fn of_copy(frozen: super::frozen::Frozen) -> Arc<Self> {
        Self::with(Backend::Copy(Arc::new(frozen)))
    }

    fn with(backend: Backend) -> Arc<Self> {
        Arc::new(StoreStatistics {
            backend,
            predicates: RwLock::default(),
            classes: RwLock::default(),
            ahead: AtomicBool::new(false),
        })
    }

    /// Runs `f`, which plans a query over this store on this thread, with these counts known
    /// to the planner.
    pub fn plan<R>(self: &Arc<Self>, f: impl FnOnce() -> R) -> R {
        sparopt::with_statistics(self.clone(), f)
    }

    /// Evaluates a prepared query over this store, planned with these counts: the one way the
    /// command line, the explorer, the SPARQL endpoint and SERVICE to ourselves query it.
    pub fn evaluate(
        self: &Arc<Self>,
        prepared: PreparedSparqlQuery,
    ) -> Result<QueryResults<'static>, QueryEvaluationError> {
        match &self.backend {
            Backend::Copy(f) => self.plan(|| {
                prepared
                    .on_queryable_dataset(super::frozen::View(f.clone()))
                    .execute()
            }),
            Backend::Store(store) => self.plan(|| prepared.on_store(store).execute()),
        }
    }

    /// The read-only copy answering the queries, if it is one.
    pub fn frozen(&self) -> Option<&Arc<super::frozen::Frozen>> {
        match &self.backend {
            Backend::Copy(f) => Some(f),
            Backend::Store(_) => None,
        }
    }

    /// From now on plannings only read the counts; takes them all on a thread of its own
    /// (one count per predicate and class of the store: the whole store read about three
    /// times).
    pub fn count_ahead(self: &Arc<Self>) -> std::io::Result<()> {
        self.ahead.store(true, Ordering::Release);
        // A copy gives every count from its sorted quads, as it was made.
        if self.frozen().is_some() {
            return Ok(());
        }
        let stats = self.clone();
        std::thread::Builder::new()
            .name("medrd-stats".into())
            .stack_size(crate::query::bounds::STACK_SIZE)
            .spawn(move || stats.warm())
            .map(drop)
    }

    /// Takes every count a planning can ask for: each predicate's and each class's.
    pub fn warm(&self) {
        for term in self.column("SELECT DISTINCT ?p WHERE { ?s ?p ?o }") {
            if let Term::NamedNode(p) = term {
                self.take_predicate(p.as_ref());
            }
        }
        for term in self.column("SELECT DISTINCT ?c WHERE { ?x a ?c }") {
            if let Term::NamedNode(c) = term {
                self.take_instances(c.as_ref());
            }
        }
    }

    fn take_predicate(&self, predicate: NamedNodeRef<'_>) -> Option<PredicateStatistics> {
        *cell(&self.predicates, predicate.as_str()).get_or_init(|| {
            let n = self.count(&format!(
                "SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?s) (COUNT(DISTINCT ?o) AS ?o) \
                 WHERE {{ ?s {predicate} ?o }}"
            ))?;
            Some(PredicateStatistics {
                triples: *n.first()?,
                subjects: *n.get(1)?,
                objects: *n.get(2)?,
            })
        })
    }

    fn take_instances(&self, class: NamedNodeRef<'_>) -> Option<u64> {
        *cell(&self.classes, class.as_str()).get_or_init(|| {
            let n = self.count(&format!("SELECT (COUNT(*) AS ?n) WHERE {{ ?x a {class} }}"))?;
            n.first().copied()
        })
    }

    /// The integers of the one row of a counting SELECT.
    fn count(&self, sparql: &str) -> Option<Vec<u64>> {
        let row = self.rows(sparql)?.into_iter().next()?;
        row.into_iter()
            .map(|v| match v {
                Some(Term::Literal(l)) => l.value().parse().ok(),
                _ => None,
            })
            .collect()
    }

    /// The first values of the rows of a SELECT (none when it cannot be run).
    fn column(&self, sparql: &str) -> Vec<Term> {
        let rows = self.rows(sparql).unwrap_or_default();
        rows.into_iter()
            .filter_map(|row| row.into_iter().next().flatten())
            .collect()
    }

    /// The rows of a SELECT over the union of the graphs, planned without statistics (a
    /// planning may be waiting for the count it takes); `None` if it fails or panics.
    fn rows(&self, sparql: &str) -> Option<Vec<Vec<Option<Term>>>> {
        let run = || {
            let mut prepared = SparqlEvaluator::new().parse_query(sparql).ok()?;
            prepared.dataset_mut().set_default_graph_as_union();
            // A copy's counts are its own: it is never counted by SPARQL.
            let Backend::Store(store) = &self.backend else {
                return None;
            };
            let QueryResults::Solutions(rows) = prepared.on_store(store).execute().ok()? else {
                return None;
            };
            rows.map(|row| row.ok().map(|row| row.values().to_vec()))
                .collect()
        };
        let run = std::panic::AssertUnwindSafe(|| sparopt::without_statistics(run));
        std::panic::catch_unwind(run).ok().flatten()
    }
}

thread_local! {
    /// Set by [`StoreStatistics::taking_counts`]: this thread's plannings take the counts they
    /// need even after [`StoreStatistics::count_ahead`].
    static TAKING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

impl StoreStatistics {
    /// Runs `f` with its plannings taking the counts they need, as before `count_ahead`: for
    /// the server's own reads as it starts (the explorer's search entries and shared
    /// answers), which no request waits on the way it would on a count, and which planned
    /// without counts ran longer. A count the ahead thread is taking is waited for, not taken
    /// twice.
    pub fn taking_counts<R>(&self, f: impl FnOnce() -> R) -> R {
        /// Puts back the thread's previous setting, on return and on unwinding alike.
        struct Restore(bool);
        impl Drop for Restore {
            fn drop(&mut self) {
                TAKING.with(|t| t.set(self.0));
            }
        }
        let _restore = Restore(TAKING.with(|t| t.replace(true)));
        f()
    }

    /// Whether plannings on this thread only read the counts taken so far.
    fn reads_only(&self) -> bool {
        self.ahead.load(Ordering::Acquire) && !TAKING.with(std::cell::Cell::get)
    }
}

impl Statistics for StoreStatistics {
    fn predicate(&self, predicate: NamedNodeRef<'_>) -> Option<PredicateStatistics> {
        if let Some(f) = self.frozen() {
            return Some(f.predicate(&predicate.into_owned().into()));
        }
        if self.reads_only() {
            return taken(&self.predicates, predicate.as_str());
        }
        self.take_predicate(predicate)
    }

    fn instances(&self, class: NamedNodeRef<'_>) -> Option<u64> {
        if let Some(f) = self.frozen() {
            return Some(f.instances(&class.into_owned().into()));
        }
        if self.reads_only() {
            return taken(&self.classes, class.as_str());
        }
        self.take_instances(class)
    }
}

/// The count of `key` if it has been taken (never waits, never adds an entry).
fn taken<T: Copy>(known: &Known<T>, key: &str) -> Option<T> {
    let known = known.read().unwrap_or_else(PoisonError::into_inner);
    known.get(key).and_then(|c| c.get().copied().flatten())
}

/// The cell of `key`'s count, made empty if there is none yet (a lock is held only to find
/// it, not while counting; found cells are read under the shared lock, without allocating).
fn cell<T>(known: &Known<T>, key: &str) -> Counted<T> {
    if let Some(c) = known
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(key)
    {
        return c.clone();
    }
    let mut known = known.write().unwrap_or_else(PoisonError::into_inner);
    known.entry(key.into()).or_default().clone()
}
