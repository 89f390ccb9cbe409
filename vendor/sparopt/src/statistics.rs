//! medrd patch 3: what the data says about a triple pattern's size, for the join reordering.
//!
//! Upstream estimates every pattern from which of its positions are bound only (a pattern
//! with a bound predicate and a free subject and object is "1,000,000" rows, one with a bound
//! object "1,000"), whatever the store holds (oxigraph issue #1418, "Store statistics for
//! proper join reordering", is open). A sub-select of a few hundred rows built from such
//! patterns was then estimated at billions, and the planner started from the 79,000
//! payments of the store instead. The caller may now give the planner the store's counts
//! for the duration of one planning ([`with_statistics`]); without them the estimates are
//! upstream's.

use oxrdf::{NamedNode, NamedNodeRef};
use spargebra::algebra::PropertyPathExpression;
use std::cell::RefCell;
use std::sync::Arc;

/// The counts of one predicate over the whole dataset (every graph).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PredicateStatistics {
    /// Its triples.
    pub triples: u64,
    /// Its distinct subjects.
    pub subjects: u64,
    /// Its distinct objects.
    pub objects: u64,
}

/// Counts of the data being queried. An implementation may compute them when first asked
/// and keep them; `None` means "unknown" (the planner then guesses as upstream does).
pub trait Statistics {
    /// The counts of `predicate`: all zeros when no triple has it.
    fn predicate(&self, predicate: NamedNodeRef<'_>) -> Option<PredicateStatistics>;
    /// How many subjects have `rdf:type class`.
    fn instances(&self, class: NamedNodeRef<'_>) -> Option<u64>;
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<dyn Statistics>>> = const { RefCell::new(None) };
}

/// Runs `f` (which plans a query on this thread) with `statistics` known to the planner.
/// The statistics in place before are back when `f` returns or unwinds.
pub fn with_statistics<R>(statistics: Arc<dyn Statistics>, f: impl FnOnce() -> R) -> R {
    with_current(Some(statistics), f)
}

/// Runs `f` with no statistics known to the planner (as upstream plans), e.g. the queries
/// that count for a [`Statistics`] while a planning waits for them.
pub fn without_statistics<R>(f: impl FnOnce() -> R) -> R {
    with_current(None, f)
}

fn with_current<R>(statistics: Option<Arc<dyn Statistics>>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<dyn Statistics>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.replace(statistics)));
    f()
}

/// The statistics in place, if any (a clone: counting may plan queries of its own).
fn current() -> Option<Arc<dyn Statistics>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// The rows a pattern with the constant `predicate` is expected to give, from the
/// statistics in place: all its triples when neither end is bound, the average number per
/// subject (or object) when one end is, one when both are; the instances of `class` for
/// `?x rdf:type class`. At least one, so that a product of estimates stays informative.
pub(crate) fn estimate_pattern(
    predicate: &NamedNode,
    subject_bound: bool,
    object_bound: bool,
    class: Option<&NamedNode>,
) -> Option<usize> {
    let statistics = current()?;
    if subject_bound && object_bound {
        return Some(1);
    }
    if let (Some(class), false) = (class, subject_bound) {
        return statistics.instances(class.as_ref()).map(at_least_one);
    }
    let counts = statistics.predicate(predicate.as_ref())?;
    let rows = match (subject_bound, object_bound) {
        (false, false) => counts.triples,
        (true, false) => counts.triples.div_ceil(counts.subjects.max(1)),
        (false, true) => counts.triples.div_ceil(counts.objects.max(1)),
        (true, true) => 1,
    };
    Some(at_least_one(rows))
}

/// The most nodes a closure (`p*`, `p+`) of `path` from one node can reach, from the
/// statistics in place: the nodes `path`'s predicates link, as subjects or objects, and the
/// start. `None` for a path of other shapes or without statistics.
pub(crate) fn estimate_reachable(path: &PropertyPathExpression) -> Option<usize> {
    match path {
        PropertyPathExpression::NamedNode(p) => {
            let counts = current()?.predicate(p.as_ref())?;
            Some(at_least_one(counts.subjects.max(counts.objects) + 1))
        }
        PropertyPathExpression::Reverse(p) => estimate_reachable(p),
        PropertyPathExpression::Alternative(a, b) => {
            Some(estimate_reachable(a)?.saturating_add(estimate_reachable(b)?))
        }
        _ => None,
    }
}

fn at_least_one(rows: u64) -> usize {
    usize::try_from(rows).unwrap_or(usize::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl Statistics for Fixed {
        fn predicate(&self, predicate: NamedNodeRef<'_>) -> Option<PredicateStatistics> {
            (predicate.as_str() == "http://e/p").then_some(PredicateStatistics {
                triples: 1000,
                subjects: 10,
                objects: 250,
            })
        }
        fn instances(&self, _: NamedNodeRef<'_>) -> Option<u64> {
            Some(0)
        }
    }

    #[test]
    fn estimates_come_from_the_statistics_in_place_only() {
        let p = NamedNode::new_unchecked("http://e/p");
        assert_eq!(estimate_pattern(&p, false, false, None), None);
        with_statistics(Arc::new(Fixed), || {
            assert_eq!(estimate_pattern(&p, false, false, None), Some(1000));
            assert_eq!(estimate_pattern(&p, true, false, None), Some(100));
            assert_eq!(estimate_pattern(&p, false, true, None), Some(4));
            assert_eq!(estimate_pattern(&p, true, true, None), Some(1));
            assert_eq!(estimate_pattern(&p, false, true, Some(&p)), Some(1));
            let q = NamedNode::new_unchecked("http://e/q");
            assert_eq!(estimate_pattern(&q, false, false, None), None);
            without_statistics(|| assert_eq!(estimate_pattern(&p, false, false, None), None));
            assert_eq!(estimate_pattern(&p, false, false, None), Some(1000));
        });
        assert_eq!(estimate_pattern(&p, false, false, None), None);
    }
}
