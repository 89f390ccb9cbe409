//! The store's counts for the query planner: per predicate its triples and distinct subjects
//! and objects, per class its instances — so that a join starts from the few rows a query is
//! about, not from the largest predicate of the store (vendor/sparopt, patch 3).
//!
//! Each count is taken the first time a planning asks for it (one SPARQL count over that
//! predicate's triples, about 0.5 µs a triple in memory) and kept: the stores medrd queries
//! are not written after they are loaded. Plannings on other threads wait only for a count
//! they need too. A count that cannot be taken (a storage error) is left unknown, and the
//! planner guesses as upstream does.

use oxigraph::model::{NamedNode, NamedNodeRef, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use sparopt::{PredicateStatistics, Statistics};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// A count, taken once by whichever planning asks first.
type Counted<T> = Arc<OnceLock<Option<T>>>;

/// Counts of one store, taken when first asked.
pub struct StoreStatistics {
    store: Store,
    predicates: Mutex<HashMap<NamedNode, Counted<PredicateStatistics>>>,
    classes: Mutex<HashMap<NamedNode, Counted<u64>>>,
}

impl StoreStatistics {
    pub fn new(store: &Store) -> Arc<Self> {
        Arc::new(StoreStatistics {
            store: store.clone(),
            predicates: Mutex::default(),
            classes: Mutex::default(),
        })
    }

    /// The store counted.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs `f`, which plans a query over this store on this thread, with these counts known
    /// to the planner.
    pub fn plan<R>(self: &Arc<Self>, f: impl FnOnce() -> R) -> R {
        sparopt::with_statistics(self.clone(), f)
    }

    /// Takes every count a planning can ask for: each predicate's and each class's (about a
    /// second of one core at national scale). `serve` runs it on a thread of its own at
    /// start, so that requests do not pay for the counts.
    pub fn warm(&self) {
        for term in self.column("SELECT DISTINCT ?p WHERE { ?s ?p ?o }") {
            if let Term::NamedNode(p) = term {
                self.predicate(p.as_ref());
            }
        }
        for term in self.column("SELECT DISTINCT ?c WHERE { ?x a ?c }") {
            if let Term::NamedNode(c) = term {
                self.instances(c.as_ref());
            }
        }
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
    /// planning may be waiting for the count it takes).
    fn rows(&self, sparql: &str) -> Option<Vec<Vec<Option<Term>>>> {
        sparopt::without_statistics(|| {
            let mut prepared = SparqlEvaluator::new().parse_query(sparql).ok()?;
            prepared.dataset_mut().set_default_graph_as_union();
            let QueryResults::Solutions(rows) = prepared.on_store(&self.store).execute().ok()?
            else {
                return None;
            };
            rows.map(|row| row.ok().map(|row| row.values().to_vec()))
                .collect()
        })
    }
}

impl Statistics for StoreStatistics {
    fn predicate(&self, predicate: NamedNodeRef<'_>) -> Option<PredicateStatistics> {
        *counted(&self.predicates, predicate).get_or_init(|| {
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

    fn instances(&self, class: NamedNodeRef<'_>) -> Option<u64> {
        *counted(&self.classes, class).get_or_init(|| {
            let n = self.count(&format!("SELECT (COUNT(*) AS ?n) WHERE {{ ?x a {class} }}"))?;
            n.first().copied()
        })
    }
}

/// The cell of `key`'s count in `known`, made empty if there is none yet (the lock is held
/// only to find it, not while counting).
fn counted<T>(known: &Mutex<HashMap<NamedNode, Counted<T>>>, key: NamedNodeRef<'_>) -> Counted<T> {
    let mut known = known.lock().unwrap_or_else(PoisonError::into_inner);
    known.entry(key.into_owned()).or_default().clone()
}
